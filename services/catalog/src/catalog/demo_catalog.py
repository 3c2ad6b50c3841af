"""Demo catalog for a León-sized municipality (plain data; no framework imports).

Modelled on León's *Sistema de Atención Ciudadana* (seed 000): dependencias, their
departamentos, the catálogo de peticiones ("OP-LAMPARA APAGADA"…) written the way León
writes them (uppercase, no accents, agency prefix), and the orígenes de atención.

SLA units follow the seed: León's "Días" are calendar days — in the seed's "Asuntos del
día" (created 26/09/2023) OP-CIRCUITO APAGADO (5 days) is due on Sunday 1 October,
SIAP- RECOLECCION DE ANIMALES MUERTOS on the 29th (3 days) and voluminosos on 6 October
(10 days); in the citizen history MA - RUIDO and ECO-QUEJ COMERCIA ESTABLECI are due 10
days and OP-SOLICIT DE MANTENIN PODA Y/O DESHIERB 20 days after creation.  Trámites use
business days, and a few urgent services use business hours (Metepec: "48 horas
hábiles").

Exposes ``AGENCIES``, ``DEPARTMENTS``, ``PETITION_TYPES``, ``CHANNELS`` (lists of dicts),
``MUNICIPAL_DAYS_OFF`` (list of dates) and :func:`validate`.
"""
from __future__ import annotations

import re
from datetime import date

CD, BD, BH = "calendar_days", "business_days", "business_hours"
SERVICIO, TRAMITE = "Servicio", "Trámite"

SLA_UNITS = (CD, BD, BH)
KINDS = (SERVICIO, TRAMITE)
DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")

# --------------------------------------------------------------------------- agencies

AGENCIES: list[dict] = [
    {"code": "OP", "name": "DIRECCION GENERAL DE OBRA PUBLICA"},
    {"code": "SIAP", "name": "SISTEMA INTEGRAL DE ASEO PUBLICO"},
    {"code": "SAPAL", "name": "SISTEMA DE AGUA POTABLE Y ALCANTARILLADO DE LEON"},
    {"code": "ECO", "name": "DIRECCION GENERAL DE ECONOMIA"},
    {"code": "MA", "name": "DIRECCION GENERAL DE MEDIO AMBIENTE"},
    {"code": "SALUD", "name": "DIRECCION GENERAL DE SALUD"},
    {"code": "MOV", "name": "DIRECCION GENERAL DE MOVILIDAD"},
    {"code": "SSPPC", "name": "SECRETARIA DE SEGURIDAD, PREVENCION Y PROTECCION CIUDADANA"},
    {"code": "DU", "name": "DIRECCION GENERAL DE DESARROLLO URBANO"},
    {"code": "TM", "name": "TESORERIA MUNICIPAL"},
    {"code": "DS", "name": "DIRECCION GENERAL DE DESARROLLO SOCIAL Y HUMANO"},
    {"code": "SHA", "name": "SECRETARIA DEL H. AYUNTAMIENTO"},
    {"code": "AC", "name": "DIRECCION DE ATENCION CIUDADANA"},
    {"code": "CM", "name": "CONTRALORIA MUNICIPAL"},
]

# --------------------------------------------------------------------------- departments

DEPARTMENTS: list[dict] = [
    {"code": "OP-ALUMBRADO", "agency": "OP", "name": "ALUMBRADO PUBLICO"},
    {"code": "OP-BACHEO", "agency": "OP", "name": "BACHEO Y PAVIMENTOS"},
    {"code": "OP-MANTENIMIENTO", "agency": "OP", "name": "MANTENIMIENTO URBANO"},
    {"code": "OP-PLUVIAL", "agency": "OP", "name": "DRENAJE PLUVIAL"},
    {"code": "SIAP-RECOLECCION", "agency": "SIAP", "name": "RECOLECCION DOMICILIARIA"},
    {"code": "SIAP-ESPECIALES", "agency": "SIAP", "name": "SERVICIOS ESPECIALES"},
    {"code": "SIAP-BARRIDO", "agency": "SIAP", "name": "BARRIDO MANUAL Y MECANICO"},
    {"code": "SIAP-TIRADEROS", "agency": "SIAP", "name": "TIRADEROS Y CONTENEDORES"},
    {"code": "SAPAL-AGUA", "agency": "SAPAL", "name": "AGUA POTABLE"},
    {"code": "SAPAL-DRENAJE", "agency": "SAPAL", "name": "DRENAJE SANITARIO"},
    {"code": "SAPAL-COMERCIAL", "agency": "SAPAL", "name": "ATENCION COMERCIAL"},
    {"code": "ECO-COMERCIO", "agency": "ECO", "name": "COMERCIO Y CONSUMO"},
    {"code": "ECO-VIAPUBLICA", "agency": "ECO", "name": "COMERCIO EN VIA PUBLICA"},
    {"code": "ECO-MERCADOS", "agency": "ECO", "name": "MERCADOS PUBLICOS"},
    {"code": "MA-INSPECCION", "agency": "MA", "name": "INSPECCION Y VIGILANCIA AMBIENTAL"},
    {"code": "MA-ARBOLADO", "agency": "MA", "name": "ARBOLADO URBANO"},
    {"code": "MA-PARQUES", "agency": "MA", "name": "PARQUES Y JARDINES"},
    {"code": "SALUD-CCA", "agency": "SALUD", "name": "CENTRO DE CONTROL ANIMAL"},
    {"code": "SALUD-SANITARIA", "agency": "SALUD", "name": "FOMENTO Y REGULACION SANITARIA"},
    {"code": "MOV-INGVIAL", "agency": "MOV", "name": "INGENIERIA VIAL"},
    {"code": "MOV-TRANSPORTE", "agency": "MOV", "name": "TRANSPORTE PUBLICO"},
    {"code": "SSPPC-TRANSITO", "agency": "SSPPC", "name": "TRANSITO MUNICIPAL"},
    {"code": "SSPPC-POLICIA", "agency": "SSPPC", "name": "POLICIA PREVENTIVA"},
    {"code": "SSPPC-PC", "agency": "SSPPC", "name": "PROTECCION CIVIL"},
    {"code": "DU-CONTROL", "agency": "DU", "name": "CONTROL Y VIGILANCIA DE OBRA"},
    {"code": "DU-LICENCIAS", "agency": "DU", "name": "LICENCIAS Y PERMISOS DE CONSTRUCCION"},
    {"code": "TM-CATASTRO", "agency": "TM", "name": "IMPUESTOS INMOBILIARIOS Y CATASTRO"},
    {"code": "TM-INGRESOS", "agency": "TM", "name": "INGRESOS"},
    {"code": "DS-PROGRAMAS", "agency": "DS", "name": "PROGRAMAS SOCIALES"},
    {"code": "DS-PARTICIPACION", "agency": "DS", "name": "PARTICIPACION CIUDADANA"},
    {"code": "SHA-FISCALIZACION", "agency": "SHA", "name": "FISCALIZACION Y CONTROL"},
    {"code": "SHA-PANTEONES", "agency": "SHA", "name": "PANTEONES MUNICIPALES"},
    {"code": "AC-ATENCION", "agency": "AC", "name": "ATENCION CIUDADANA"},
    {"code": "CM-QUEJAS", "agency": "CM", "name": "QUEJAS Y DENUNCIAS"},
]

# --------------------------------------------------------------------------- attributes
# Open311 GeoReport v2 style extra questions ("attributes" of a service definition).


def _attr(code: str, description: str, datatype: str, required: bool = False,
          values: list[str] | None = None) -> dict:
    return {"code": code, "description": description, "datatype": datatype, "required": required,
            "values": [{"key": v, "name": v} for v in (values or [])]}


_NUM_POSTE = _attr("numero_poste", "NUMERO DE POSTE (PLACA METALICA DEL POSTE), SI ES VISIBLE", "string")
_NUM_LAMPARAS = _attr("numero_lamparas", "CANTIDAD DE LAMPARAS CON FALLA", "number", True)
_TIPO_ANIMAL = _attr("tipo_animal", "TIPO DE ANIMAL", "singlevaluelist", True,
                     ["PERRO", "GATO", "EQUINO", "BOVINO", "OTRO"])
_FECHA_HORA = _attr("fecha_hora_evento", "FECHA Y HORA EN QUE OCURRE", "datetime")
_CUENTA_SAPAL = _attr("numero_cuenta", "NUMERO DE CUENTA DEL RECIBO DE AGUA", "string", True)

# --------------------------------------------------------------------------- petition types
# (department, name, kind, sla_amount, sla_unit, description[, attributes[, active]])

_TYPES: list[tuple] = [
    # ---- OBRA PUBLICA / ALUMBRADO PUBLICO
    ("OP-ALUMBRADO", "OP-CIRCUITO APAGADO", SERVICIO, 5, CD,
     "SE CONSIDERA LA CANTIDAD DE 5 O MAS LAMPARAS CONTINUAS APAGADAS", [_NUM_LAMPARAS, _NUM_POSTE]),
    ("OP-ALUMBRADO", "OP-CIRCUITO PRENDIDO", SERVICIO, 5, CD,
     "SE CONSIDERA LA CANTIDAD DE 5 O MAS LAMPARAS CONTINUAS ENCENDIDAS", [_NUM_LAMPARAS, _NUM_POSTE]),
    ("OP-ALUMBRADO", "OP-LAMPARA APAGADA", SERVICIO, 5, CD,
     "SE CONSIDERA SOLAMENTE LA CANTIDAD DE 1 LAMPARA CON FALLA", [_NUM_POSTE]),
    ("OP-ALUMBRADO", "OP-LAMPARA PRENDIDA", SERVICIO, 5, CD,
     "SE CONSIDERA SOLAMENTE LA CANTIDAD DE 1 LAMPARA CON FALLA", [_NUM_POSTE]),
    ("OP-ALUMBRADO", "OP-LAMPARA INTERMITENTE", SERVICIO, 5, CD,
     "LAMPARA QUE ENCIENDE Y SE APAGA DE MANERA CONTINUA DURANTE LA NOCHE", [_NUM_POSTE]),
    ("OP-ALUMBRADO", "OP-POSTE CAIDO O EN RIESGO", SERVICIO, 48, BH,
     "POSTE DE ALUMBRADO PUBLICO CAIDO, INCLINADO O GOLPEADO QUE REPRESENTA RIESGO",
     [_NUM_POSTE]),
    ("OP-ALUMBRADO", "OP-CABLEADO EXPUESTO", SERVICIO, 24, BH,
     "CABLES DE ALUMBRADO PUBLICO EXPUESTOS O REGISTRO ELECTRICO SIN TAPA"),
    ("OP-ALUMBRADO", "OP-SOLICITUD DE NUEVA LUMINARIA", TRAMITE, 30, CD,
     "SOLICITUD DE INSTALACION DE ALUMBRADO EN CALLE O AREA SIN SERVICIO, SUJETA A ESTUDIO DE FACTIBILIDAD"),
    # ---- OBRA PUBLICA / BACHEO
    ("OP-BACHEO", "OP-BACHEO", SERVICIO, 15, CD,
     "BACHE EN VIALIDAD PAVIMENTADA DE ASFALTO O CONCRETO",
     [_attr("tamano_bache", "TAMAÑO APROXIMADO DEL BACHE", "singlevaluelist", False,
            ["CHICO (MENOR A 50 CM)", "MEDIANO (DE 50 CM A 1 M)", "GRANDE (MAYOR A 1 M)"]),
      _attr("cantidad_baches", "CANTIDAD DE BACHES EN EL TRAMO", "number")]),
    ("OP-BACHEO", "OP-SOCAVON EN VIALIDAD", SERVICIO, 48, BH,
     "HUNDIMIENTO O SOCAVON EN LA VIALIDAD QUE PONE EN RIESGO A PEATONES O VEHICULOS"),
    ("OP-BACHEO", "OP-SOLICITUD DE REENCARPETADO", TRAMITE, 30, CD,
     "SOLICITUD DE REENCARPETADO O REHABILITACION DE PAVIMENTO EN UN TRAMO DE CALLE"),
    ("OP-BACHEO", "OP-SOLICITUD DE PAVIMENTACION", TRAMITE, 30, CD,
     "SOLICITUD DE PAVIMENTACION DE CALLE DE TERRACERIA; SE INTEGRA AL PROGRAMA DE OBRA"),
    ("OP-BACHEO", "OP-RASTREO DE CALLE DE TERRACERIA", SERVICIO, 20, CD,
     "NIVELACION Y RASTREO DE CALLES SIN PAVIMENTO"),
    ("OP-BACHEO", "OP-REPARACION DE TOPE", SERVICIO, 15, CD,
     "TOPE O REDUCTOR DE VELOCIDAD DESTRUIDO O CON VARILLAS EXPUESTAS"),
    # ---- OBRA PUBLICA / MANTENIMIENTO URBANO
    ("OP-MANTENIMIENTO", "OP-SOLICIT DE MANTENIN PODA Y/O DESHIERB", SERVICIO, 20, CD,
     "PODA DE ARBOLES Y/O DESHIERBE EN VIA PUBLICA, CAMELLONES Y AREAS MUNICIPALES"),
    ("OP-MANTENIMIENTO", "OP-REPARACION DE BANQUETA", SERVICIO, 20, CD,
     "BANQUETA MUNICIPAL FRACTURADA O HUNDIDA QUE DIFICULTA EL PASO PEATONAL"),
    ("OP-MANTENIMIENTO", "OP-REPARACION DE GUARNICION", SERVICIO, 20, CD,
     "GUARNICION (MACHUELO) DESTRUIDA O DESPRENDIDA"),
    ("OP-MANTENIMIENTO", "OP-MANTENIMIENTO DE PUENTE PEATONAL", SERVICIO, 15, CD,
     "PUENTE PEATONAL CON BARANDAL, ESCALONES O ILUMINACION DAÑADOS"),
    ("OP-MANTENIMIENTO", "OP-LIMPIEZA DE CAMELLON", SERVICIO, 10, CD,
     "LIMPIEZA Y DESHIERBE DE CAMELLON CENTRAL O LATERAL"),
    ("OP-MANTENIMIENTO", "OP-RETIRO DE ESCOMBRO DE OBRA MUNICIPAL", SERVICIO, 10, CD,
     "ESCOMBRO O MATERIAL SOBRANTE DE UNA OBRA MUNICIPAL QUE NO FUE RETIRADO"),
    # ---- OBRA PUBLICA / DRENAJE PLUVIAL
    ("OP-PLUVIAL", "OP-DESAZOLVE DE REJILLA PLUVIAL", SERVICIO, 10, CD,
     "REJILLA O BOCA DE TORMENTA TAPADA CON BASURA O TIERRA"),
    ("OP-PLUVIAL", "OP-ENCHARCAMIENTO EN VIALIDAD", SERVICIO, 5, CD,
     "ACUMULACION DE AGUA DE LLUVIA EN LA VIALIDAD QUE NO DESALOJA"),
    ("OP-PLUVIAL", "OP-LIMPIEZA DE ARROYO O CANAL PLUVIAL", SERVICIO, 30, CD,
     "ARROYO O CANAL PLUVIAL CON MALEZA, BASURA O AZOLVE"),
    ("OP-PLUVIAL", "OP-REJILLA PLUVIAL FALTANTE", SERVICIO, 48, BH,
     "REJILLA PLUVIAL ROBADA O ROTA QUE DEJA UN HUECO EN LA VIALIDAD"),
    # ---- SIAP / RECOLECCION DOMICILIARIA
    ("SIAP-RECOLECCION", "SIAP- FALTA DE RECOLECCION DOMICILIARIA", SERVICIO, 2, CD,
     "EL CAMION RECOLECTOR NO PASO EN EL DIA Y HORARIO ESTABLECIDO PARA LA COLONIA",
     [_attr("dias_sin_servicio", "DIAS SIN SERVICIO DE RECOLECCION", "number", True)]),
    ("SIAP-RECOLECCION", "SIAP- SOLICITUD DE CAMBIO DE HORARIO DE RECOLECCION", TRAMITE, 10, CD,
     "SOLICITUD VECINAL PARA MODIFICAR EL DIA U HORARIO DE RECOLECCION DE LA RUTA"),
    ("SIAP-RECOLECCION", "SIAP- QUEJA CONTRA PERSONAL DE RECOLECCION", SERVICIO, 10, CD,
     "MAL TRATO, COBRO INDEBIDO O SOLICITUD DE PROPINA POR PARTE DEL PERSONAL DEL CAMION RECOLECTOR",
     [_attr("numero_unidad", "NUMERO ECONOMICO DEL CAMION", "string"), _FECHA_HORA]),
    ("SIAP-RECOLECCION", "SIAP- DERRAME DE LIXIVIADOS DEL CAMION RECOLECTOR", SERVICIO, 3, CD,
     "ESCURRIMIENTO DE LIQUIDOS DEL CAMION RECOLECTOR SOBRE LA VIALIDAD"),
    # ---- SIAP / SERVICIOS ESPECIALES
    ("SIAP-ESPECIALES", "SIAP- RECOLECCION DE ANIMALES MUERTOS", SERVICIO, 3, CD,
     "RETIRO DE ANIMALES MUERTOS EN VIA PUBLICA", [_TIPO_ANIMAL]),
    ("SIAP-ESPECIALES", "SIAP- RECOLECCION DE RESIDUOS SOLIDOS VOLUMINOSOS MENOR A 3 PIEZAS", SERVICIO, 10, CD,
     "RECOLECCION SIN COSTO DE MUEBLES, COLCHONES O ELECTRODOMESTICOS EN DESUSO, HASTA 3 PIEZAS POR DOMICILIO",
     [_attr("numero_piezas", "NUMERO DE PIEZAS", "singlevaluelist", True, ["1", "2", "3"]),
      _attr("descripcion_piezas", "DESCRIPCION DE LAS PIEZAS (EJ. SILLON, COLCHON, REFRIGERADOR)", "string")]),
    ("SIAP-ESPECIALES", "SIAP- RECOLECCION DE RESIDUOS SOLIDOS VOLUMINOSOS MAYOR A 3 PIEZAS", TRAMITE, 15, CD,
     "RECOLECCION DE MAS DE 3 PIEZAS VOLUMINOSAS, CON EL COSTO QUE SEÑALA LA LEY DE INGRESOS"),
    ("SIAP-ESPECIALES", "SIAP- RECOLECCION DE RAMAS Y RESIDUOS DE PODA", SERVICIO, 10, CD,
     "RETIRO DE RAMAS Y RESIDUOS DE PODA DOMICILIARIA COLOCADOS FRENTE AL DOMICILIO"),
    ("SIAP-ESPECIALES", "SIAP- RECOLECCION DE ARBOLES NAVIDEÑOS", SERVICIO, 5, CD,
     "CAMPAÑA DE TEMPORADA (ENERO): RETIRO DE ARBOLES DE NAVIDAD NATURALES", None, False),
    # ---- SIAP / BARRIDO
    ("SIAP-BARRIDO", "SIAP- BARRIDO DE VIALIDAD", SERVICIO, 7, CD,
     "SOLICITUD DE BARRIDO MANUAL O MECANICO EN CALLE O AVENIDA"),
    ("SIAP-BARRIDO", "SIAP- LIMPIEZA DE PLAZA O ESPACIO PUBLICO", SERVICIO, 7, CD,
     "LIMPIEZA DE PLAZA, JARDIN O ESPACIO PUBLICO CON BASURA ACUMULADA"),
    ("SIAP-BARRIDO", "SIAP- SOLICITUD DE PAPELERA", TRAMITE, 20, CD,
     "SOLICITUD DE INSTALACION O REPOSICION DE PAPELERA EN VIA PUBLICA"),
    # ---- SIAP / TIRADEROS Y CONTENEDORES
    ("SIAP-TIRADEROS", "SIAP- TIRADERO CLANDESTINO", SERVICIO, 7, CD,
     "ACUMULACION DE BASURA O ESCOMBRO EN LOTE BALDIO, CALLE O ARROYO"),
    ("SIAP-TIRADEROS", "SIAP- CONTENEDOR DESBORDADO", SERVICIO, 2, CD,
     "CONTENEDOR MUNICIPAL LLENO CON BASURA ALREDEDOR"),
    ("SIAP-TIRADEROS", "SIAP- SOLICITUD DE CONTENEDOR", TRAMITE, 15, CD,
     "SOLICITUD DE INSTALACION, REPARACION O RETIRO DE CONTENEDOR MUNICIPAL"),
    # ---- SAPAL / AGUA POTABLE
    ("SAPAL-AGUA", "SAPAL-FUGA DE AGUA EN VIA PUBLICA", SERVICIO, 48, BH,
     "FUGA DE AGUA POTABLE EN CALLE O BANQUETA",
     [_attr("tipo_fuga", "ORIGEN DE LA FUGA", "singlevaluelist", True,
            ["TOMA DOMICILIARIA", "RED GENERAL", "HIDRANTE", "NO SE SABE"])]),
    ("SAPAL-AGUA", "SAPAL-FUGA EN CUADRO DE MEDIDOR", SERVICIO, 72, BH,
     "FUGA EN EL MEDIDOR O EN LAS CONEXIONES DEL CUADRO DE LA TOMA", [_CUENTA_SAPAL]),
    ("SAPAL-AGUA", "SAPAL-FALTA DE AGUA", SERVICIO, 24, BH,
     "DOMICILIO O COLONIA SIN SUMINISTRO DE AGUA POTABLE",
     [_attr("horas_sin_servicio", "HORAS SIN SERVICIO", "number"),
      _attr("alcance", "ALCANCE DE LA FALTA DE AGUA", "singlevaluelist", False,
            ["SOLO MI DOMICILIO", "VARIOS DOMICILIOS", "TODA LA COLONIA"])]),
    ("SAPAL-AGUA", "SAPAL-BAJA PRESION DE AGUA", SERVICIO, 5, BD,
     "EL AGUA LLEGA CON POCA PRESION Y NO SUBE A TINACO"),
    ("SAPAL-AGUA", "SAPAL-AGUA TURBIA O CON MAL OLOR", SERVICIO, 48, BH,
     "AGUA POTABLE CON COLOR, SABOR U OLOR ANORMAL"),
    ("SAPAL-AGUA", "SAPAL-SOLICITUD DE PIPA DE AGUA", SERVICIO, 24, BH,
     "ABASTECIMIENTO CON PIPA EN ZONA SIN RED O POR FALLA PROLONGADA"),
    ("SAPAL-AGUA", "SAPAL-REPOSICION DE PAVIMENTO POR OBRA", SERVICIO, 15, BD,
     "ZANJA O PAVIMENTO SIN REPONER DESPUES DE TRABAJOS DE SAPAL"),
    # ---- SAPAL / DRENAJE SANITARIO
    ("SAPAL-DRENAJE", "SAPAL-DRENAJE TAPADO", SERVICIO, 48, BH,
     "OBSTRUCCION EN DESCARGA DOMICILIARIA O COLECTOR DE DRENAJE SANITARIO"),
    ("SAPAL-DRENAJE", "SAPAL-BROTE DE AGUAS NEGRAS", SERVICIO, 24, BH,
     "AGUAS NEGRAS BROTANDO DE REGISTRO O POZO DE VISITA HACIA LA CALLE"),
    ("SAPAL-DRENAJE", "SAPAL-TAPA DE POZO DE VISITA FALTANTE", SERVICIO, 24, BH,
     "POZO DE VISITA O REGISTRO SIN TAPA QUE REPRESENTA RIESGO"),
    ("SAPAL-DRENAJE", "SAPAL-HUNDIMIENTO POR DESCARGA", SERVICIO, 5, BD,
     "HUNDIMIENTO EN CALLE O BANQUETA SOBRE UNA DESCARGA O COLECTOR"),
    ("SAPAL-DRENAJE", "SAPAL-MALOS OLORES DE DRENAJE", SERVICIO, 5, BD,
     "OLORES FETIDOS PERSISTENTES PROVENIENTES DE LA RED DE DRENAJE"),
    # ---- SAPAL / ATENCION COMERCIAL
    ("SAPAL-COMERCIAL", "SAPAL-ACLARACION DE RECIBO", TRAMITE, 10, BD,
     "CONSUMO O IMPORTE DEL RECIBO DE AGUA QUE EL USUARIO CONSIDERA INCORRECTO", [_CUENTA_SAPAL]),
    ("SAPAL-COMERCIAL", "SAPAL-CAMBIO DE MEDIDOR", TRAMITE, 15, BD,
     "MEDIDOR DAÑADO, OPACO O QUE NO REGISTRA EL CONSUMO", [_CUENTA_SAPAL]),
    ("SAPAL-COMERCIAL", "SAPAL-CONTRATO DE TOMA NUEVA", TRAMITE, 15, BD,
     "INFORMACION Y SEGUIMIENTO DE CONTRATACION DE TOMA DE AGUA Y DESCARGA"),
    ("SAPAL-COMERCIAL", "SAPAL-RECONEXION DE SERVICIO", TRAMITE, 2, BD,
     "RECONEXION DEL SERVICIO DESPUES DE PAGAR EL ADEUDO", [_CUENTA_SAPAL]),
    # ---- ECONOMIA
    ("ECO-COMERCIO", "ECO-QUEJ COMERCIA ESTABLECI", SERVICIO, 10, CD,
     "QUEJA CONTRA COMERCIO ESTABLECIDO POR INVASION DE VIA PUBLICA, RUIDO, HORARIO O GIRO NO AUTORIZADO",
     [_attr("nombre_negocio", "NOMBRE O GIRO DEL NEGOCIO", "string")]),
    ("ECO-COMERCIO", "ECO-ORIENTACION PARA APERTURA DE NEGOCIO", TRAMITE, 5, BD,
     "ASESORIA SOBRE LICENCIAS Y PERMISOS PARA ABRIR UN NEGOCIO DE BAJO RIESGO"),
    ("ECO-VIAPUBLICA", "ECO-COMERCIO AMBULANTE SIN PERMISO", SERVICIO, 10, CD,
     "VENDEDOR AMBULANTE O PUESTO SIN PERMISO EN VIA PUBLICA"),
    ("ECO-VIAPUBLICA", "ECO-PUESTO SEMIFIJO QUE OBSTRUYE BANQUETA", SERVICIO, 10, CD,
     "PUESTO SEMIFIJO QUE IMPIDE EL PASO PEATONAL O EL ACCESO A COCHERAS"),
    ("ECO-VIAPUBLICA", "ECO-PERMISO DE COMERCIO EN VIA PUBLICA", TRAMITE, 15, BD,
     "SOLICITUD O RENOVACION DE PERMISO PARA EJERCER EL COMERCIO EN VIA PUBLICA"),
    ("ECO-MERCADOS", "ECO-MANTENIMIENTO DE MERCADO PUBLICO", SERVICIO, 15, CD,
     "FALLAS DE ILUMINACION, SANITARIOS, TECHUMBRE O LIMPIEZA EN MERCADO MUNICIPAL"),
    ("ECO-MERCADOS", "ECO-QUEJA POR TIANGUIS", SERVICIO, 10, CD,
     "BASURA, RUIDO U OBSTRUCCION DE COCHERAS OCASIONADOS POR UN TIANGUIS"),
    # ---- MEDIO AMBIENTE
    ("MA-INSPECCION", "MA - RUIDO", SERVICIO, 10, CD,
     "EXCESO DE RUIDO GENERADO POR FUENTES FIJAS: NEGOCIOS, TALLERES, FIESTAS O BOCINAS",
     [_attr("horario_ruido", "HORARIO EN QUE SE PRESENTA", "singlevaluelist", True,
            ["DIURNO (06:00 A 22:00)", "NOCTURNO (22:00 A 06:00)", "TODO EL DIA"]),
      _attr("fuente_ruido", "FUENTE DEL RUIDO", "multivaluelist", False,
            ["NEGOCIO", "TALLER", "FIESTA PARTICULAR", "BOCINAS EN VIA PUBLICA", "OTRO"]),
      _FECHA_HORA]),
    ("MA-INSPECCION", "MA - HUMO O EMISIONES A LA ATMOSFERA", SERVICIO, 10, CD,
     "HUMO, POLVO O GASES EMITIDOS POR NEGOCIO, TALLER O LADRILLERA"),
    ("MA-INSPECCION", "MA - QUEMA DE BASURA O LLANTAS", SERVICIO, 48, BH,
     "QUEMA A CIELO ABIERTO DE BASURA, LLANTAS O RESIDUOS"),
    ("MA-INSPECCION", "MA - MALOS OLORES DE NEGOCIO O INDUSTRIA", SERVICIO, 10, CD,
     "OLORES PERSISTENTES GENERADOS POR ACTIVIDAD COMERCIAL O INDUSTRIAL (TENERIAS, GRANJAS)"),
    ("MA-INSPECCION", "MA - DESCARGA DE RESIDUOS A ARROYO", SERVICIO, 5, BD,
     "VERTIDO DE AGUAS RESIDUALES O RESIDUOS A ARROYO, PRESA O CANAL"),
    ("MA-ARBOLADO", "MA - PERMISO DE PODA O TALA DE ARBOL", TRAMITE, 15, BD,
     "DICTAMEN Y PERMISO PARA PODA MAYOR O DERRIBO DE ARBOL EN PROPIEDAD PRIVADA O VIA PUBLICA",
     [_attr("numero_arboles", "NUMERO DE ARBOLES", "number", True),
      _attr("motivo", "MOTIVO DE LA SOLICITUD", "text")]),
    ("MA-ARBOLADO", "MA - TALA DE ARBOL SIN PERMISO", SERVICIO, 5, BD,
     "DERRIBO O DAÑO A ARBOLADO SIN AUTORIZACION"),
    ("MA-ARBOLADO", "MA - SOLICITUD DE ARBOLES PARA REFORESTACION", TRAMITE, 20, BD,
     "DONACION DE ARBOLES PARA REFORESTAR AREAS VERDES DE LA COLONIA"),
    ("MA-PARQUES", "MA - MANTENIMIENTO DE PARQUE O JARDIN", SERVICIO, 15, CD,
     "PARQUE O JARDIN PUBLICO CON PASTO CRECIDO, BASURA O FALTA DE MANTENIMIENTO"),
    ("MA-PARQUES", "MA - RIEGO DE AREAS VERDES", SERVICIO, 10, CD,
     "AREAS VERDES PUBLICAS SECAS QUE REQUIEREN RIEGO"),
    ("MA-PARQUES", "MA - JUEGOS INFANTILES DAÑADOS", SERVICIO, 10, CD,
     "JUEGOS INFANTILES ROTOS O EN MAL ESTADO QUE REPRESENTAN RIESGO PARA LOS NIÑOS"),
    ("MA-PARQUES", "MA - MOBILIARIO URBANO DAÑADO EN PARQUE", SERVICIO, 15, CD,
     "BANCAS, LUMINARIAS, APARATOS DE EJERCICIO O BARDAS DAÑADAS EN PARQUE"),
    # ---- SALUD
    ("SALUD-CCA", "SALUD-PERRO AGRESIVO", SERVICIO, 48, BH,
     "PERRO EN VIA PUBLICA QUE HA MORDIDO O AGREDIDO A PERSONAS"),
    ("SALUD-CCA", "SALUD-PERROS EN SITUACION DE CALLE", SERVICIO, 10, CD,
     "JAURIA O PERROS SIN DUEÑO EN VIA PUBLICA"),
    ("SALUD-CCA", "SALUD-MALTRATO ANIMAL", SERVICIO, 5, CD,
     "ANIMAL MALTRATADO, ABANDONADO, SIN AGUA O SIN ALIMENTO", [_TIPO_ANIMAL]),
    ("SALUD-CCA", "SALUD-ANIMALES EN AZOTEA", SERVICIO, 10, CD,
     "CRIA O ACUMULACION DE ANIMALES EN AZOTEA O PATIO QUE GENERA MALOS OLORES O RUIDO"),
    ("SALUD-CCA", "SALUD-JORNADA DE ESTERILIZACION", TRAMITE, 15, CD,
     "SOLICITUD DE JORNADA DE ESTERILIZACION CANINA Y FELINA EN LA COLONIA"),
    ("SALUD-CCA", "SALUD-VACUNACION ANTIRRABICA", TRAMITE, 15, CD,
     "SOLICITUD DE MODULO DE VACUNACION ANTIRRABICA EN LA COLONIA"),
    ("SALUD-SANITARIA", "SALUD-FAUNA NOCIVA", SERVICIO, 10, CD,
     "PRESENCIA DE RATAS, CUCARACHAS U OTRA FAUNA NOCIVA EN ESPACIO PUBLICO"),
    ("SALUD-SANITARIA", "SALUD-CRIADERO DE MOSCO", SERVICIO, 5, CD,
     "AGUA ESTANCADA O CACHARROS QUE FAVORECEN LA PROLIFERACION DEL MOSCO TRANSMISOR DEL DENGUE"),
    # ---- MOVILIDAD
    ("MOV-INGVIAL", "MOV-SEMAFORO DESCOMPUESTO", SERVICIO, 24, BH,
     "SEMAFORO APAGADO, INTERMITENTE O CON FOCO FUNDIDO",
     [_attr("cruce", "CRUCE DE CALLES DONDE ESTA EL SEMAFORO", "string", True)]),
    ("MOV-INGVIAL", "MOV-SEÑALAMIENTO DAÑADO O FALTANTE", SERVICIO, 10, CD,
     "SEÑAL DE TRANSITO CAIDA, VANDALIZADA O FALTANTE"),
    ("MOV-INGVIAL", "MOV-SOLICITUD DE TOPE O REDUCTOR DE VELOCIDAD", TRAMITE, 30, CD,
     "SOLICITUD VECINAL DE ESTUDIO PARA INSTALAR TOPE O REDUCTOR DE VELOCIDAD"),
    ("MOV-INGVIAL", "MOV-PINTURA DE PASO PEATONAL", SERVICIO, 20, CD,
     "PASO PEATONAL O LINEAS DE ALTO BORRADAS"),
    ("MOV-INGVIAL", "MOV-SOLICITUD DE CAJON EXCLUSIVO", TRAMITE, 20, BD,
     "SOLICITUD DE CAJON DE ESTACIONAMIENTO EXCLUSIVO O PARA PERSONAS CON DISCAPACIDAD"),
    ("MOV-TRANSPORTE", "MOV-QUEJA CONTRA UNIDAD DE TRANSPORTE PUBLICO", SERVICIO, 10, CD,
     "MAL SERVICIO, EXCESO DE VELOCIDAD O COBRO INDEBIDO EN UNIDAD DE TRANSPORTE PUBLICO",
     [_attr("ruta", "RUTA", "string", True), _attr("numero_economico", "NUMERO ECONOMICO DE LA UNIDAD", "string"),
      _FECHA_HORA]),
    ("MOV-TRANSPORTE", "MOV-SOLICITUD DE PARADA DE TRANSPORTE", TRAMITE, 30, CD,
     "SOLICITUD DE NUEVA PARADA O CAMBIO DE RUTA DE TRANSPORTE PUBLICO"),
    ("MOV-TRANSPORTE", "MOV-PARABUS DAÑADO", SERVICIO, 15, CD,
     "PARABUS CON TECHO, ASIENTO O SEÑALÉTICA DAÑADOS"),
    # ---- SEGURIDAD, PREVENCION Y PROTECCION CIUDADANA
    ("SSPPC-TRANSITO", "SSPPC-VEHICULO ABANDONADO", SERVICIO, 15, CD,
     "VEHICULO ABANDONADO EN VIA PUBLICA POR MAS DE 30 DIAS",
     [_attr("placas", "PLACAS DEL VEHICULO", "string"), _attr("descripcion_vehiculo", "MARCA, MODELO Y COLOR", "string")]),
    ("SSPPC-TRANSITO", "SSPPC-VEHICULO OBSTRUYE COCHERA O BANQUETA", SERVICIO, 24, BH,
     "VEHICULO ESTACIONADO FRENTE A COCHERA, SOBRE BANQUETA O EN RAMPA PARA DISCAPACITADOS"),
    ("SSPPC-TRANSITO", "SSPPC-APOYO VIAL EN ESCUELA", TRAMITE, 10, BD,
     "SOLICITUD DE APOYO VIAL A LA ENTRADA Y SALIDA DE UNA ESCUELA"),
    ("SSPPC-POLICIA", "SSPPC-SOLICITUD DE RONDINES DE VIGILANCIA", SERVICIO, 7, CD,
     "SOLICITUD DE RECORRIDOS DE VIGILANCIA EN LA COLONIA"),
    ("SSPPC-POLICIA", "SSPPC-CONSUMO DE ALCOHOL EN VIA PUBLICA", SERVICIO, 3, CD,
     "PERSONAS INGIRIENDO BEBIDAS ALCOHOLICAS EN VIA PUBLICA DE MANERA RECURRENTE"),
    ("SSPPC-PC", "SSPPC-ARBOL EN RIESGO DE CAER", SERVICIO, 48, BH,
     "ARBOL SECO, INCLINADO O CON RAMAS QUE PUEDEN CAER SOBRE VIVIENDAS, CABLES O PERSONAS"),
    ("SSPPC-PC", "SSPPC-ENJAMBRE DE ABEJAS", SERVICIO, 24, BH,
     "ENJAMBRE O PANAL DE ABEJAS EN VIA PUBLICA O VIVIENDA"),
    ("SSPPC-PC", "SSPPC-INSPECCION DE RIESGO EN INMUEBLE", TRAMITE, 10, BD,
     "SOLICITUD DE DICTAMEN DE RIESGO EN FINCA, BARDA O TALUD"),
    # ---- DESARROLLO URBANO
    ("DU-CONTROL", "DU-CONSTRUCCION SIN PERMISO", SERVICIO, 15, BD,
     "OBRA EN PROCESO SIN LICENCIA DE CONSTRUCCION VISIBLE"),
    ("DU-CONTROL", "DU-MATERIAL DE CONSTRUCCION EN VIA PUBLICA", SERVICIO, 10, CD,
     "ARENA, GRAVA O ESCOMBRO DE UNA OBRA PARTICULAR QUE INVADE LA VIA PUBLICA"),
    ("DU-CONTROL", "DU-LOTE BALDIO ENMONTADO", SERVICIO, 20, CD,
     "LOTE BALDIO SIN BARDA, CON MALEZA O BASURA; SE NOTIFICA AL PROPIETARIO"),
    ("DU-CONTROL", "DU-FINCA ABANDONADA EN RIESGO", SERVICIO, 20, BD,
     "FINCA ABANDONADA EN RIESGO DE DERRUMBE O UTILIZADA PARA ACTIVIDADES ILICITAS"),
    ("DU-LICENCIAS", "DU-INFORMACION DE LICENCIA DE CONSTRUCCION", TRAMITE, 5, BD,
     "ORIENTACION SOBRE REQUISITOS Y ESTADO DE TRAMITE DE LICENCIA DE CONSTRUCCION"),
    ("DU-LICENCIAS", "DU-ASIGNACION DE NUMERO OFICIAL", TRAMITE, 10, BD,
     "SOLICITUD DE ASIGNACION O CORRECCION DE NUMERO OFICIAL"),
    # ---- TESORERIA
    ("TM-CATASTRO", "TM-ACLARACION DE PREDIAL", TRAMITE, 10, BD,
     "ACLARACION DEL IMPORTE O DATOS DEL RECIBO DE IMPUESTO PREDIAL",
     [_attr("cuenta_predial", "CUENTA PREDIAL", "string", True)]),
    ("TM-CATASTRO", "TM-ACTUALIZACION DE DATOS CATASTRALES", TRAMITE, 15, BD,
     "ACTUALIZACION DE SUPERFICIES, CONSTRUCCION O PROPIETARIO EN EL PADRON CATASTRAL"),
    ("TM-INGRESOS", "TM-ACLARACION DE MULTA O INFRACCION", TRAMITE, 10, BD,
     "ACLARACION O INCONFORMIDAD CON UNA MULTA MUNICIPAL"),
    ("TM-INGRESOS", "TM-DEVOLUCION DE PAGO INDEBIDO", TRAMITE, 30, BD,
     "SOLICITUD DE DEVOLUCION DE UN PAGO DUPLICADO O INDEBIDO A LA TESORERIA"),
    # ---- DESARROLLO SOCIAL Y HUMANO
    ("DS-PROGRAMAS", "DS-INFORMACION DE PROGRAMAS SOCIALES", TRAMITE, 5, BD,
     "ORIENTACION SOBRE REQUISITOS Y CONVOCATORIAS DE PROGRAMAS SOCIALES MUNICIPALES"),
    ("DS-PROGRAMAS", "DS-SOLICITUD DE APOYO PARA VIVIENDA", TRAMITE, 30, BD,
     "SOLICITUD DE APOYO CON MATERIAL PARA MEJORAMIENTO DE VIVIENDA"),
    ("DS-PARTICIPACION", "DS-MANTENIMIENTO DE CENTRO COMUNITARIO", SERVICIO, 20, CD,
     "CENTRO COMUNITARIO O SALON DE USOS MULTIPLES CON FALLAS O SIN MANTENIMIENTO"),
    ("DS-PARTICIPACION", "DS-CONFORMACION DE COMITE DE COLONOS", TRAMITE, 15, BD,
     "ASESORIA PARA CONFORMAR O RENOVAR EL COMITE DE COLONOS"),
    # ---- SECRETARIA DEL H. AYUNTAMIENTO
    ("SHA-FISCALIZACION", "SHA-VENTA DE ALCOHOL FUERA DE HORARIO", SERVICIO, 3, CD,
     "ESTABLECIMIENTO QUE VENDE BEBIDAS ALCOHOLICAS FUERA DEL HORARIO PERMITIDO O SIN LICENCIA"),
    ("SHA-FISCALIZACION", "SHA-EVENTO SIN PERMISO", SERVICIO, 3, CD,
     "BAILE, ESPECTACULO O EVENTO PUBLICO SIN PERMISO MUNICIPAL",
     [_FECHA_HORA]),
    ("SHA-PANTEONES", "SHA-MANTENIMIENTO DE PANTEON MUNICIPAL", SERVICIO, 15, CD,
     "PANTEON MUNICIPAL CON MALEZA, BASURA, FALTA DE AGUA O BARDA DANADA"),
    ("SHA-PANTEONES", "SHA-INFORMACION DE FOSAS Y REFRENDOS", TRAMITE, 5, BD,
     "ORIENTACION SOBRE DISPONIBILIDAD DE FOSAS, REFRENDOS Y EXHUMACIONES"),
    # ---- ATENCION CIUDADANA
    ("AC-ATENCION", "AC-INFORMACION GENERAL", TRAMITE, 1, BD,
     "ORIENTACION AL CIUDADANO SOBRE TRAMITES Y SERVICIOS MUNICIPALES, ESTATALES Y FEDERALES (MODINFO)"),
    ("AC-ATENCION", "AC-SEGUIMIENTO A REPORTE VENCIDO", SERVICIO, 2, BD,
     "EL CIUDADANO SOLICITA SEGUIMIENTO DE UN REPORTE CUYA FECHA LIMITE YA VENCIO",
     [_attr("folio_original", "FOLIO DEL REPORTE ORIGINAL", "number", True)]),
    # ---- CONTRALORIA
    ("CM-QUEJAS", "CM-QUEJA CONTRA SERVIDOR PUBLICO", TRAMITE, 15, BD,
     "QUEJA O DENUNCIA POR LA ACTUACION DE UN SERVIDOR PUBLICO MUNICIPAL",
     [_attr("dependencia_servidor", "DEPENDENCIA DEL SERVIDOR PUBLICO", "string"), _FECHA_HORA]),
    ("CM-QUEJAS", "CM-RECONOCIMIENTO A SERVIDOR PUBLICO", TRAMITE, 10, BD,
     "RECONOCIMIENTO CIUDADANO A LA ATENCION DE UN SERVIDOR PUBLICO MUNICIPAL"),
]

_AGENCY_OF_DEPARTMENT = {d["code"]: d["agency"] for d in DEPARTMENTS}


def _petition(department: str, name: str, kind: str, sla_amount: int, sla_unit: str, description: str,
              attributes: list[dict] | None = None, active: bool = True) -> dict:
    return {"code": name, "name": name, "kind": kind, "description": description,
            "sla_amount": sla_amount, "sla_unit": sla_unit,
            "agency": _AGENCY_OF_DEPARTMENT.get(department, department.split("-")[0]),
            "department": department, "active": active,
            "attributes": [dict(a, values=[dict(v) for v in a["values"]]) for a in (attributes or [])]}


PETITION_TYPES: list[dict] = [_petition(*row) for row in _TYPES]

# --------------------------------------------------------------------------- channels (orígenes)

CHANNELS: list[dict] = [
    {"code": "072", "name": "LÍNEA 072"},
    {"code": "CHATBOT", "name": "CHATBOT"},
    {"code": "ANDROID", "name": "APP HOLA LEÓN (ANDROID)"},
    {"code": "IOS", "name": "APP HOLA LEÓN (IOS)"},
    {"code": "WEB", "name": "PORTAL WEB"},
    {"code": "MIÉRCOLES CIUDADANO", "name": "MIÉRCOLES CIUDADANO"},
    {"code": "CHAT CIUDADANO", "name": "CHAT CIUDADANO"},
    {"code": "REDES SOCIALES", "name": "REDES SOCIALES"},
    {"code": "PRESENCIAL", "name": "ATENCIÓN PRESENCIAL"},
    {"code": "BRIGADA", "name": "BRIGADA"},
    {"code": "GIRA", "name": "GIRA DE PRESIDENCIA"},
    {"code": "JEFE DE MANZANA", "name": "JEFE DE MANZANA"},
    {"code": "OFICIO", "name": "OFICIO"},
    {"code": "CORREO", "name": "CORREO ELECTRÓNICO"},
    {"code": "WHATSAPP", "name": "WHATSAPP"},
    # from the other seeds: Veracruz's audiencias públicas with the mayor (002), the mobile
    # module at the mayor's tours (004) and partner apps such as Por Mi Barrio (003).
    {"code": "AUDIENCIA PÚBLICA", "name": "AUDIENCIA PÚBLICA"},
    {"code": "MÓDULO MÓVIL", "name": "MÓDULO MÓVIL"},
    {"code": "POR MI BARRIO", "name": "POR MI BARRIO"},
]

# --------------------------------------------------------------------------- municipal days off
# The municipality's own non-working days, on top of the federal ones (LFT art. 74):
# Jueves y Viernes Santo, Día de Muertos, 12 de diciembre and León's foundation day
# (20 de enero de 1576, during the Feria de León).

MUNICIPAL_DAYS_OFF: list[date] = [
    date(2025, 1, 20),                     # aniversario de la fundación de León
    date(2025, 4, 17), date(2025, 4, 18),  # Jueves y Viernes Santo
    date(2025, 11, 2),                     # Día de Muertos (domingo; sin efecto)
    date(2025, 12, 12),                    # Día de la Virgen de Guadalupe
    date(2026, 1, 20),
    date(2026, 4, 2), date(2026, 4, 3),
    date(2026, 11, 2),
    date(2026, 12, 12),
    date(2027, 1, 20),
    date(2027, 3, 25), date(2027, 3, 26),
    date(2027, 11, 2),
    date(2027, 12, 12),
]

# --------------------------------------------------------------------------- validation

_AGENCY_CODE = re.compile(r"^[A-Z]{2,8}$")
_DEPARTMENT_CODE = re.compile(r"^[A-Z]{2,8}-[A-Z]{2,20}$")


def _duplicates(values) -> list:
    seen, dup = set(), []
    for v in values:
        if v in seen and v not in dup:
            dup.append(v)
        seen.add(v)
    return dup


def validate(agencies: list[dict] | None = None, departments: list[dict] | None = None,
             petition_types: list[dict] | None = None, channels: list[dict] | None = None) -> None:
    """Check the catalog (the demo one by default); return ``None`` or raise ``ValueError``
    listing every problem: unique codes, every department's agency exists, every
    petition type's agency and department exist and the department belongs to that
    agency, known kind / SLA unit / attribute datatypes, non-negative integer SLA."""
    agencies = AGENCIES if agencies is None else agencies
    departments = DEPARTMENTS if departments is None else departments
    petition_types = PETITION_TYPES if petition_types is None else petition_types
    channels = CHANNELS if channels is None else channels
    errors: list[str] = []

    for label, rows in (("dependencia", agencies), ("departamento", departments),
                        ("tipo de petición", petition_types), ("canal", channels)):
        for row in rows:
            if not isinstance(row.get("code"), str) or not row["code"].strip():
                errors.append(f"{label} sin código: {row!r}")
            if not isinstance(row.get("name"), str) or not row["name"].strip():
                errors.append(f"{label} «{row.get('code')}» sin nombre")
        for code in _duplicates(r.get("code") for r in rows):
            errors.append(f"código de {label} duplicado: «{code}»")

    for a in agencies:
        if not _AGENCY_CODE.match(str(a.get("code", ""))):
            errors.append(f"código de dependencia inválido (mayúsculas ASCII): «{a.get('code')}»")

    agency_codes = {a["code"] for a in agencies}
    dept_agency = {}
    for d in departments:
        if not _DEPARTMENT_CODE.match(str(d.get("code", ""))):
            errors.append(f"código de departamento inválido: «{d.get('code')}»")
        if d.get("agency") not in agency_codes:
            errors.append(f"el departamento «{d.get('code')}» pertenece a una dependencia inexistente: «{d.get('agency')}»")
        elif not str(d.get("code", "")).startswith(d["agency"] + "-"):
            errors.append(f"el código del departamento «{d.get('code')}» no empieza con su dependencia «{d['agency']}-»")
        dept_agency[d.get("code")] = d.get("agency")

    for p in petition_types:
        code = p.get("code")
        if p.get("agency") not in agency_codes:
            errors.append(f"el tipo de petición «{code}» tiene una dependencia inexistente: «{p.get('agency')}»")
        if p.get("department") not in dept_agency:
            errors.append(f"el tipo de petición «{code}» tiene un departamento inexistente: «{p.get('department')}»")
        elif dept_agency[p["department"]] != p.get("agency"):
            errors.append(f"el departamento «{p['department']}» del tipo de petición «{code}» "
                          f"no pertenece a la dependencia «{p.get('agency')}»")
        if p.get("kind") not in KINDS:
            errors.append(f"tipo (Trámite/Servicio) inválido en «{code}»: {p.get('kind')!r}")
        amount = p.get("sla_amount")
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
            errors.append(f"SLA inválido en «{code}»: {amount!r}")
        if p.get("sla_unit") not in SLA_UNITS:
            errors.append(f"unidad de SLA inválida en «{code}»: {p.get('sla_unit')!r}")
        if not isinstance(p.get("active"), bool):
            errors.append(f"«active» debe ser booleano en «{code}»")
        if not isinstance(p.get("description", ""), str):
            errors.append(f"descripción inválida en «{code}»")
        attrs = p.get("attributes", [])
        if not isinstance(attrs, list):
            errors.append(f"«attributes» debe ser una lista en «{code}»")
            continue
        for dup in _duplicates(a.get("code") for a in attrs):
            errors.append(f"atributo duplicado «{dup}» en «{code}»")
        for a in attrs:
            dt = a.get("datatype")
            if dt not in DATATYPES:
                errors.append(f"tipo de dato inválido {dt!r} en el atributo «{a.get('code')}» de «{code}»")
            if not isinstance(a.get("required"), bool):
                errors.append(f"«required» debe ser booleano en el atributo «{a.get('code')}» de «{code}»")
            values = a.get("values") or []
            if dt in ("singlevaluelist", "multivaluelist") and not values:
                errors.append(f"el atributo de lista «{a.get('code')}» de «{code}» no tiene valores")
            if dt not in ("singlevaluelist", "multivaluelist") and values:
                errors.append(f"el atributo «{a.get('code')}» de «{code}» tiene valores pero no es de lista")
            for dup in _duplicates(v.get("key") for v in values):
                errors.append(f"valor duplicado «{dup}» en el atributo «{a.get('code')}» de «{code}»")

    if errors:
        raise ValueError("Catálogo inválido:\n- " + "\n- ".join(errors))
