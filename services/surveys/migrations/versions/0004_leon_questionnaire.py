"""The first questionnaire: León's Encuesta de Percepción Ciudadana (version 1).

León's document (seeds/000) names the survey's indicators — «Calidad de la información,
Tiempo de atención, Confianza en el Servicio Público, Satisfacción» — and its purpose:
that citizens «califi[quen] la atención que reciben por parte de la Dependencia que
atiende su reporte»; one scale question per indicator, with Gómez Palacio's verification
(seeds/004: «verificación … de las solicitudes recibidas») as «¿Se resolvió su reporte?».
Supervisors edit it from here: each edit is a new version (answers keep the one they used).

Revision ID: 0004
"""
import json

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

CODE = "percepcion-ciudadana"
QUESTIONS = [
    {"id": "calidad_informacion", "kind": "scale", "required": True, "indicator": "Calidad de la información",
     "text": "Del 1 al 5, ¿cómo califica la calidad de la información que recibió sobre su reporte?"},
    {"id": "tiempo_atencion", "kind": "scale", "required": True, "indicator": "Tiempo de atención",
     "text": "Del 1 al 5, ¿cómo califica el tiempo de atención de su reporte?"},
    {"id": "confianza", "kind": "scale", "required": True, "indicator": "Confianza en el Servicio Público",
     "text": "Del 1 al 5, ¿cuánta confianza le da el servicio público después de este reporte?"},
    {"id": "satisfaccion", "kind": "scale", "required": True, "indicator": "Satisfacción",
     "text": "Del 1 al 5, ¿cómo califica la atención que le brindó la dependencia que atendió su reporte?"},
    {"id": "resuelto", "kind": "yes_no", "required": True, "verification": True,
     "text": "¿Se resolvió su reporte?"},
    {"id": "medio_preferido", "kind": "choice", "required": False,
     "text": "¿Por qué medio prefiere hacer sus reportes?",
     "options": ["Línea 072", "App Hola León", "Chatbot", "Miércoles Ciudadano", "Otro"]},
    {"id": "comentarios", "kind": "text", "required": False, "text": "¿Desea agregar algún comentario?"},
]


def upgrade():
    op.get_bind().execute(
        sa.text("INSERT INTO questionnaires (code, version, title, questions, created_by) "
                "VALUES (:code, 1, :title, CAST(:questions AS jsonb), 'migración 0004')"),
        {"code": CODE, "title": "Encuesta de Percepción Ciudadana", "questions": json.dumps(QUESTIONS)})


def downgrade():
    op.get_bind().execute(sa.text("DELETE FROM questionnaires WHERE code = :code AND version = 1"), {"code": CODE})
