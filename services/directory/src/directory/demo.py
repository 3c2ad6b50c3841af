"""The demo guide of León, Guanajuato: more than 200 offices across the five government
levels — municipal dependencias with their direcciones and áreas, paramunicipal bodies
(DIF, SAPAL, IMPLAN…), state and federal offices with a desk in León (DIF Estatal, SAT,
IMSS, SNDIF…) and other organisations (food bank, legal aid, AFAPE…).

Names are those of real public bodies; addresses, phones and hours are plausible, for
a demo, not a directory to rely on. The person in charge is always a job title, never a
person's name. ``python -m directory.demo`` (``MONGO_URI``, ``MONGO_DB``) loads what is
missing through the same use case as staff (author ``system:directory-demo``) and leaves
offices that already exist untouched, so running it again changes nothing."""
from __future__ import annotations

import hashlib
import os
import sys

from sacinfra.actor import Actor

from . import domain
from .store import Store

ACTOR = Actor.system_process("directory-demo").to_dict()
CITY = "León, Gto."
HOURS = "Lunes a viernes de 8:00 a 15:00 h"


def slug(text: str) -> str:
    return "-".join(domain.words(text))[:60].strip("-")


def _phone(key: str, prefix: str = "477") -> str:
    n = int(hashlib.sha256(key.encode()).hexdigest(), 16)
    return f"{prefix} {200 + n % 700:03d} {n // 1000 % 10000:04d}"


#: plausible addresses in León for offices whose own is not given: (street, colonia, postal code)
ADDRESSES = (("BLVD. ADOLFO LÓPEZ MATEOS", "JARDINES DEL MORAL", "37160"), ("BLVD. JUAN ALONSO DE TORRES",
             "VALLE DEL CAMPESTRE", "37150"), ("CALLE MADERO", "ZONA CENTRO", "37000"),
             ("BLVD. TIMOTEO LOZANO", "LAS JOYAS", "37296"), ("BLVD. HILARIO MEDINA", "SAN JUAN DE ABAJO", "37370"),
             ("BLVD. LA LUZ", "VALLE DE SEÑORA", "37208"), ("AV. PASEO DE LOS INSURGENTES", "LOS PARAÍSOS", "37320"),
             ("CALLE 5 DE MAYO", "OBREGÓN", "37320"), ("BLVD. VASCO DE QUIROGA", "SAN MIGUEL", "37390"),
             ("BLVD. MORELOS", "SAN FRANCISCO", "37450"), ("CALLE PEDRO MORENO", "ZONA CENTRO", "37000"),
             ("BLVD. AEROPUERTO", "SAN CARLOS", "37460"))


def office(name, level, parent=None, *, id=None, acronym="", street="", ext="", colonia="", cp="", city=CITY,
           phones=None, website="", email="", hours=HOURS, head="", keywords=(), procedures=(), lat=None, lon=None,
           extensions=()):
    oid = id or slug(acronym + " " + name if acronym and len(slug(name)) > 40 else name)
    if not street and city == CITY:
        n = int(hashlib.sha256(oid.encode()).hexdigest(), 16)
        street, colonia, cp = ADDRESSES[n % len(ADDRESSES)]
        ext = ext or str(100 + n % 3900)
    doc = {"id": oid, "name": name, "acronym": acronym, "level": level, "parent_id": parent, "street": street,
           "ext_number": ext, "colonia": colonia, "postal_code": cp, "city": city,
           "phones": phones if phones is not None else [_phone(oid)], "extensions": list(extensions),
           "email": email, "website": website, "hours": hours, "person_in_charge": head,
           "keywords": list(keywords), "procedures": list(procedures)}
    if lat is not None:
        doc["location"] = {"lat": lat, "lon": lon}
    return doc


M, P, E, F, O = "MUNICIPAL", "PARAMUNICIPAL", "ESTATAL", "FEDERAL", "OTROS ORGANISMOS"
CENTRO = {"street": "PLAZA PRINCIPAL", "ext": "S/N", "colonia": "ZONA CENTRO", "cp": "37000"}
WEB = "https://www.leon.gob.mx/"


def _municipal() -> list[dict]:
    out = [office("Presidencia Municipal de León", M, id="presidencia", head="PRESIDENTE(A) MUNICIPAL",
                  website=WEB, lat=21.1221, lon=-101.6826, phones=["477 788 0000"], **CENTRO)]
    tree = {
        ("Secretaría del H. Ayuntamiento", "secretaria-ayuntamiento", "SECRETARIO(A) DEL H. AYUNTAMIENTO",
         ("constancia de residencia", "cartilla militar"), ("Constancia de residencia", "Constancia de identidad",
                                                            "Precartilla del Servicio Militar Nacional")): [
            ("Dirección de Asuntos Jurídicos", ("juridico",)), ("Junta Municipal de Reclutamiento", ("cartilla",)),
            ("Dirección de Archivo Histórico Municipal", ("archivo",)), ("Dirección de Asuntos Religiosos", ())],
        ("Tesorería Municipal", "tesoreria", "TESORERO(A) MUNICIPAL", ("pagos", "predial", "impuestos"),
         ("Pago del impuesto predial", "Pago de multas de tránsito", "Constancia de no adeudo")): [
            ("Dirección General de Ingresos", ("caja", "pagos")),
            ("Dirección de Impuestos Inmobiliarios y Catastro", ("predial", "catastro", "avaluo")),
            ("Dirección de Fiscalización y Control", ("licencias", "alcoholes")),
            ("Dirección de Ejecución", ("embargos", "cobranza")), ("Dirección de Egresos", ("proveedores",))],
        ("Dirección General de Obra Pública", "obra-publica", "DIRECTOR(A) GENERAL DE OBRA PÚBLICA",
         ("baches", "pavimento", "alumbrado"), ("Reporte de bache", "Solicitud de pavimentación")): [
            ("Dirección de Alumbrado Público", ("lampara", "luminaria", "poste")),
            ("Dirección de Mantenimiento Vial", ("bache", "calle")),
            ("Dirección de Proyectos de Obra", ()), ("Dirección de Construcción", ())],
        ("Dirección General de Desarrollo Urbano", "desarrollo-urbano", "DIRECTOR(A) GENERAL DE DESARROLLO URBANO",
         ("construccion", "uso de suelo", "permiso"), ("Licencia de construcción", "Permiso de uso de suelo",
                                                        "Número oficial", "Alineamiento")): [
            ("Dirección de Administración Urbana", ("licencia", "numero oficial")),
            ("Dirección de Fraccionamientos", ("fraccionamiento",)),
            ("Dirección de Ordenamiento Territorial", ("zonificacion",))],
        ("Dirección General de Desarrollo Social y Humano", "desarrollo-social", "DIRECTOR(A) GENERAL DE DESARROLLO SOCIAL",
         ("apoyos", "programas sociales", "becas"), ("Inscripción a programas sociales",)): [
            ("Dirección de Programas Estratégicos", ("apoyos",)), ("Dirección de Organización Social", ("comites",)),
            ("Dirección de Atención a la Juventud", ("jovenes",))],
        ("Dirección General de Medio Ambiente", "medio-ambiente", "DIRECTOR(A) GENERAL DE MEDIO AMBIENTE",
         ("arboles", "poda", "ruido", "contaminacion"), ("Permiso de poda o tala", "Denuncia ambiental")): [
            ("Dirección de Gestión Ambiental", ("verificacion",)), ("Dirección de Áreas Verdes", ("parques", "poda"))],
        ("Dirección General de Movilidad", "movilidad", "DIRECTOR(A) GENERAL DE MOVILIDAD",
         ("transporte", "camion", "oruga", "tarjeta"), ("Tarjeta preferente de transporte", "Permiso de carga y descarga")): [
            ("Dirección de Transporte", ("rutas", "sit")), ("Dirección de Ingeniería Vial", ("semaforo", "señalamiento")),
            ("Dirección de Estacionamientos", ("parquimetro",))],
        ("Secretaría de Seguridad, Prevención y Protección Ciudadana", "seguridad", "SECRETARIO(A) DE SEGURIDAD",
         ("policia", "seguridad", "denuncia"), ("Carta de no antecedentes de faltas administrativas",)): [
            ("Dirección General de Policía Municipal", ("policia", "patrulla")),
            ("Dirección General de Tránsito Municipal", ("transito", "multas", "infraccion")),
            ("Dirección de Protección Civil", ("riesgo", "dictamen", "inundacion")),
            ("Dirección de Prevención del Delito", ("prevencion",)),
            ("Dirección de Juzgados Cívicos", ("faltas administrativas", "barandilla"))],
        ("Dirección General de Salud", "salud", "DIRECTOR(A) GENERAL DE SALUD",
         ("salud", "vacunas", "perros"), ("Vacunación antirrábica", "Esterilización de mascotas")): [
            ("Centro de Control, Asistencia y Bienestar Animal", ("perros", "gatos", "mascotas", "antirrabica")),
            ("Dirección de Salud Pública", ("dengue", "fumigacion")), ("Dirección de Regulación Sanitaria", ())],
        ("Dirección General de Educación", "educacion", "DIRECTOR(A) GENERAL DE EDUCACIÓN",
         ("escuelas", "becas", "bibliotecas"), ("Becas municipales",)): [
            ("Dirección de Bibliotecas Municipales", ("libros",)), ("Dirección de Becas y Apoyos Educativos", ("becas",))],
        ("Dirección General de Economía", "economia", "DIRECTOR(A) GENERAL DE ECONOMÍA",
         ("empleo", "negocios", "mercados"), ("Apertura rápida de empresas", "Bolsa de trabajo")): [
            ("Dirección de Comercio y Consumo", ("tianguis", "ambulantes", "permisos")),
            ("Dirección de Mercados", ("locatarios",)), ("Dirección de Atracción de Inversión", ()),
            ("Dirección de Desarrollo Rural", ("campo", "ejidos", "agricultura"))],
        ("Contraloría Municipal", "contraloria", "CONTRALOR(A) MUNICIPAL", ("quejas", "denuncias", "servidores"),
         ("Queja o denuncia contra servidores públicos", "Declaración patrimonial")): [
            ("Dirección de Responsabilidades Administrativas", ()), ("Dirección de Auditoría", ())],
        ("Dirección General de Gobierno", "gobierno", "DIRECTOR(A) GENERAL DE GOBIERNO",
         ("delegaciones", "conflictos vecinales"), ("Mediación de conflictos vecinales",)): [
            ("Dirección de Atención Ciudadana", ("072", "reportes", "quejas")),
            ("Atención al Migrante y sus Familias", ("migrantes", "migracion", "deportados")),
            ("Dirección de Panteones Municipales", ("panteon", "inhumacion", "gaveta")),
            ("Dirección de Registro Civil", ("actas", "nacimiento", "matrimonio", "defuncion"))],
        ("Sistema Integral de Aseo Público", "siap", "DIRECTOR(A) GENERAL DEL SIAP", ("basura", "recoleccion", "limpieza"),
         ("Recolección de residuos voluminosos", "Limpieza de lote baldío")): [
            ("Dirección de Recolección", ("camion de basura",)), ("Dirección de Barrido Manual y Mecánico", ())],
    }
    streets = ["BLVD. ADOLFO LÓPEZ MATEOS", "CALLE PEDRO MORENO", "BLVD. MARIANO ESCOBEDO", "CALLE JUÁREZ",
               "BLVD. JUAN ALONSO DE TORRES", "CALLE HIDALGO", "BLVD. TORRES LANDA", "CALLE MADERO", "BLVD. CAMPESTRE"]
    colonias = [("ZONA CENTRO", "37000"), ("BARRIO DE GUADALUPE", "37280"), ("SAN JUAN DE DIOS", "37004"),
                ("OBREGÓN", "37320"), ("JARDINES DEL MORAL", "37160"), ("LA MARTINICA", "37500")]
    i = 0
    for (name, oid, head, keywords, procedures), children in tree.items():
        col, cp = colonias[i % len(colonias)]
        out.append(office(name, M, "presidencia", id=oid, head=head, keywords=keywords, procedures=procedures,
                          street=streets[i % len(streets)], ext=str(100 + 37 * i), colonia=col, cp=cp,
                          website=WEB, extensions=[str(1000 + 10 * i)]))
        for j, (child, kw) in enumerate(children):
            out.append(office(child, M, oid, id=f"{oid}-{slug(child)}"[:64].strip("-"), keywords=kw,
                              head="DIRECTOR(A)" if child.startswith("Dirección") else "TITULAR DEL ÁREA",
                              street=streets[(i + j + 1) % len(streets)], ext=str(200 + 11 * j + i),
                              colonia=col, cp=cp, extensions=[str(1000 + 10 * i + j + 1)]))
        i += 1
    # offices spread over the city: registry offices, delegations, cemeteries, markets, libraries
    for n in range(1, 13):
        out.append(office(f"Oficialía {n} del Registro Civil", M, "gobierno-direccion-de-registro-civil",
                          id=f"registro-civil-oficialia-{n}", head="OFICIAL DEL REGISTRO CIVIL",
                          keywords=("actas", "nacimiento", "matrimonio", "registro"),
                          procedures=("Registro de nacimiento", "Matrimonio civil", "Copia certificada de acta"),
                          street=streets[n % len(streets)], ext=str(300 + n * 7), colonia=colonias[n % 6][0],
                          cp=colonias[n % 6][1]))
    for name in ("Norte", "Sur", "Oriente", "Poniente", "Nororiente", "Norponiente", "Suroriente", "Surponiente",
                 "Centro", "Rural Norte", "Rural Sur", "Rural Oriente"):
        out.append(office(f"Delegación {name}", M, "gobierno", id=f"delegacion-{slug(name)}", head="DELEGADO(A)",
                          keywords=("delegacion", "colonia", "gestion"), procedures=("Gestión de servicios en colonias",),
                          street="BLVD. " + ("LA LUZ" if "Norte" in name else "HILARIO MEDINA"), ext=str(len(name) * 53)))
    for name in ("San Nicolás", "Los Olivos", "San Sebastián", "Santa Rosa de Lima", "Valle de la Luz",
                 "Jardines de la Paz Municipal"):
        out.append(office(f"Panteón Municipal {name}", M, "gobierno-direccion-de-panteones-municipales",
                          id=f"panteon-{slug(name)}", head="ADMINISTRADOR(A) DEL PANTEÓN",
                          keywords=("panteon", "gaveta", "inhumacion", "exhumacion")))
    for name in ("Aldama", "Comonfort", "República", "San Juan de Dios", "Allende", "Carro Verde", "Emiliano Zapata",
                 "Hidalgo", "Independencia", "La Soledad", "San Miguel", "Bellavista"):
        out.append(office(f"Mercado {name}", M, "economia-direccion-de-mercados", id=f"mercado-{slug(name)}",
                          head="ADMINISTRADOR(A) DEL MERCADO", keywords=("mercado", "locales")))
    for name in ("Central Benito Juárez", "Las Joyas", "San Francisco", "Jacinto López", "León I",
                 "Piletas", "Medina", "San Juan Bosco", "Valle de San Bernardo", "10 de Mayo"):
        out.append(office(f"Biblioteca Municipal {name}", M, "educacion-direccion-de-bibliotecas-municipales",
                          id=f"biblioteca-{slug(name)}", head="BIBLIOTECARIO(A) RESPONSABLE",
                          keywords=("biblioteca", "libros", "tareas")))
    for name in ("Las Joyas", "San Juan de Abajo", "Piletas", "Diez de Mayo", "Medina", "San Francisco",
                 "Los Castillos", "Jacinto López", "Santa Ana del Conde", "El Coecillo"):
        out.append(office(f"Centro de Desarrollo Comunitario {name}", M, "desarrollo-social",
                          id=f"cdc-{slug(name)}", head="COORDINADOR(A) DEL CENTRO",
                          keywords=("talleres", "cursos", "comunidad")))
    return out


def _paramunicipal() -> list[dict]:
    out = [
        office("Desarrollo Integral de la Familia (DIF)", P, id="dif-leon", acronym="DIF", street="PLAZA REVOLUCION",
               ext="107", colonia="SAN JUAN DE DIOS", cp="37004", website="https://dif.leon.gob.mx/",
               phones=["477-215-63-00", "477-215-63-01", "477-215-63-02", "477-215-63-03"], hours="8:00 AM A 3:00 PM",
               head="DIRECTOR(A) GENERAL", keywords=("familia", "discapacidad", "adultos mayores", "menores"),
               procedures=("Credencial de discapacidad", "Asesoría jurídica familiar", "Terapia de rehabilitación"),
               lat=21.1197, lon=-101.6734),
        office("Sistema de Agua Potable y Alcantarillado de León", P, id="sapal", acronym="SAPAL",
               street="BLVD. MARIANO ESCOBEDO", ext="2103", colonia="SAN JUAN DE DIOS", cp="37004",
               website="https://www.sapal.gob.mx/", phones=["477 788 7800", "073"], head="DIRECTOR(A) GENERAL",
               keywords=("agua", "drenaje", "fugas", "recibo"),
               procedures=("Contrato de agua potable", "Reporte de fuga", "Aclaración de recibo", "Cambio de titular")),
        office("Instituto Municipal de Planeación", P, id="implan", acronym="IMPLAN", head="DIRECTOR(A) GENERAL",
               keywords=("planeacion", "mapas", "cartografia")),
        office("Instituto Municipal de Vivienda", P, id="imuvi", acronym="IMUVI", head="DIRECTOR(A) GENERAL",
               keywords=("vivienda", "lotes", "escrituras"), procedures=("Escrituración", "Programa de vivienda")),
        office("Instituto Municipal de las Mujeres", P, id="immujeres", acronym="IMM", head="DIRECTOR(A) GENERAL",
               keywords=("mujeres", "violencia", "igualdad"), procedures=("Asesoría psicológica", "Asesoría jurídica")),
        office("Instituto Cultural de León", P, id="icl", acronym="ICL", head="DIRECTOR(A) GENERAL",
               keywords=("cultura", "talleres", "teatro", "museos")),
        office("Comisión Municipal de Cultura Física y Deporte", P, id="comude", acronym="COMUDE",
               head="DIRECTOR(A) GENERAL", keywords=("deporte", "unidades deportivas", "ligas")),
        office("Patronato de Bomberos de León", P, id="bomberos", head="COMANDANTE", phones=["911", "477 716 3700"],
               hours="Las 24 horas, todos los días", keywords=("incendio", "emergencia", "bomberos")),
        office("Academia Metropolitana de Seguridad Pública", P, id="academia-seguridad", head="DIRECTOR(A) GENERAL",
               keywords=("policia", "convocatoria", "reclutamiento")),
        office("Parque Zoológico de León", P, id="zoologico", head="DIRECTOR(A) GENERAL",
               keywords=("zoologico", "animales", "paseo"), hours="Martes a domingo de 10:00 a 17:00 h"),
        office("Parque Metropolitano de León", P, id="parque-metropolitano", head="DIRECTOR(A) GENERAL",
               keywords=("parque", "presa", "ciclovia")),
        office("Patronato de la Feria Estatal de León", P, id="feria-leon", head="DIRECTOR(A) GENERAL",
               keywords=("feria", "eventos", "poliforum")),
        office("Fideicomiso de Obras por Cooperación", P, id="fidoc", acronym="FIDOC", head="DIRECTOR(A) GENERAL",
               keywords=("pavimentacion", "cooperacion", "obra")),
        office("Sistema Integral de Transporte: Oficina de Atención a Usuarios", P, id="sit-atencion",
               head="COORDINADOR(A)", keywords=("oruga", "tarjeta", "transporte")),
        office("Consejo Municipal de Protección Civil", P, id="consejo-proteccion-civil", head="SECRETARIO(A) TÉCNICO(A)"),
        office("Instituto Municipal de la Juventud", P, id="injuve-leon", head="DIRECTOR(A) GENERAL",
               keywords=("jovenes", "empleo", "becas")),
        office("Patronato Explora", P, id="explora", head="DIRECTOR(A) GENERAL", keywords=("museo", "ciencia")),
        office("Sistema Municipal de Archivos", P, id="archivo-municipal", head="COORDINADOR(A)"),
    ]
    for name, kw in (("Procuraduría Auxiliar de Protección de Niñas, Niños y Adolescentes", ("menores", "custodia")),
                     ("Centro de Rehabilitación Integral", ("terapia", "rehabilitacion", "discapacidad")),
                     ("Casa del Adulto Mayor", ("adultos mayores", "inapam")),
                     ("Centro de Atención Integral a la Familia", ("psicologia", "familia")),
                     ("Unidad Básica de Rehabilitación", ("terapia fisica",)),
                     ("Programa de Alimentación Escolar", ("desayunos", "comedores")),
                     ("Centro de Asistencia Social Casa Hogar", ("albergue", "menores")),
                     ("Estancias Infantiles", ("guarderia", "cuidado infantil"))):
        out.append(office(name, P, "dif-leon", id=f"dif-{slug(name)}"[:64].strip("-"), keywords=kw,
                          head="COORDINADOR(A) DEL ÁREA", extensions=[str(200 + len(out))]))
    for name, kw in (("Oficina de Atención a Usuarios Centro", ("recibo", "pagos")),
                     ("Oficina de Atención a Usuarios Norte", ("recibo", "pagos")),
                     ("Oficina de Atención a Usuarios Sur", ("recibo", "pagos")),
                     ("Dirección de Cultura del Agua", ("ahorro de agua", "escuelas")),
                     ("Gerencia de Operación y Mantenimiento", ("fugas", "drenaje"))):
        out.append(office(name, P, "sapal", id=f"sapal-{slug(name)}"[:64].strip("-"), keywords=kw,
                          head="GERENTE" if name.startswith("Gerencia") else "JEFE(A) DE OFICINA"))
    for name in ("Casa de la Cultura Diego Rivera", "Teatro María Grever", "Museo de las Identidades Leonesas",
                 "Escuela de Artes Plásticas"):
        out.append(office(name, P, "icl", id=f"icl-{slug(name)}", head="COORDINADOR(A)", keywords=("cultura",)))
    for name in ("Unidad Deportiva Enrique Fernández Martínez", "Unidad Deportiva Jesús Rodríguez Gaona",
                 "Unidad Deportiva Parque Chapalita", "Unidad Deportiva Antonio 'La Tota' Carbajal"):
        out.append(office(name, P, "comude", id=f"comude-{slug(name)}"[:64].strip("-"), head="ADMINISTRADOR(A)",
                          keywords=("deporte", "alberca")))
    return out


def _state() -> list[dict]:
    gto = "https://guanajuato.gob.mx/"
    out = [
        office("DIF Estatal Guanajuato", E, id="dif-estatal", street="PASEO DE LA PRESA", ext="89 A",
               colonia="ZONA CENTRO", cp="36000", city="Guanajuato, Gto.", website="https://dif.guanajuato.gob.mx/",
               phones=["473 735 3300"], head="DIRECTOR(A) GENERAL", keywords=("familia", "discapacidad", "adopcion")),
        office("Asesoría Jurídica del Gobierno del Estado / Representación Gratuita en Materia Civil", E,
               id="asesoria-juridica-estatal", head="COORDINADOR(A) REGIONAL",
               keywords=("abogado", "divorcio", "pension alimenticia", "juridico"),
               procedures=("Representación gratuita en juicios civiles y familiares",)),
        office("Defensoría Pública del Estado de Guanajuato", E, id="defensoria-publica", head="COORDINADOR(A) REGIONAL",
               keywords=("defensor", "penal", "abogado")),
        office("Fiscalía General del Estado de Guanajuato, Sede León", E, id="fiscalia-leon", head="FISCAL REGIONAL",
               keywords=("denuncia", "ministerio publico", "delito"), procedures=("Presentar una denuncia",),
               hours="Las 24 horas, todos los días"),
        office("Procuraduría de los Derechos Humanos del Estado de Guanajuato", E, id="prodheg", acronym="PRODHEG",
               head="VISITADOR(A) REGIONAL", keywords=("derechos humanos", "queja")),
        office("Secretaría de Finanzas, Inversión y Administración: Oficina Recaudadora León", E,
               id="recaudadora-leon", head="JEFE(A) DE LA OFICINA RECAUDADORA",
               keywords=("placas", "tenencia", "licencia de conducir", "refrendo"),
               procedures=("Alta de placas", "Licencia de conducir", "Refrendo vehicular")),
        office("Jurisdicción Sanitaria VII León", E, id="jurisdiccion-sanitaria-vii", head="JEFE(A) DE JURISDICCIÓN",
               keywords=("salud", "vacunas", "centro de salud")),
        office("Hospital General Regional de León", E, id="hospital-general-regional", head="DIRECTOR(A) DEL HOSPITAL",
               hours="Las 24 horas, todos los días", keywords=("hospital", "urgencias")),
        office("Hospital Materno Infantil de León", E, id="hospital-materno-infantil", head="DIRECTOR(A) DEL HOSPITAL",
               hours="Las 24 horas, todos los días", keywords=("maternidad", "parto", "pediatria")),
        office("Delegación Regional de la Secretaría de Educación de Guanajuato", E, id="seg-leon", acronym="SEG",
               head="DELEGADO(A) REGIONAL", keywords=("escuelas", "certificados", "inscripciones"),
               procedures=("Duplicado de certificado", "Revalidación de estudios")),
        office("Instituto de Alfabetización y Educación Básica para Adultos", E, id="inaeba", acronym="INAEBA",
               head="COORDINADOR(A) REGIONAL", keywords=("primaria", "secundaria", "adultos")),
        office("Instituto Estatal de Capacitación", E, id="ieca", acronym="IECA", head="DIRECTOR(A) DEL PLANTEL",
               keywords=("cursos", "capacitacion", "oficios")),
        office("Instituto de la Juventud Guanajuatense", E, id="juventudesgto", head="COORDINADOR(A) REGIONAL",
               keywords=("jovenes",)),
        office("Procuraduría Estatal de Protección de Niñas, Niños y Adolescentes", E, id="procuraduria-nna-estatal",
               head="PROCURADOR(A) AUXILIAR", keywords=("menores", "maltrato infantil")),
        office("Centro de Justicia para las Mujeres del Estado de Guanajuato", E, id="cjm-leon",
               head="DIRECTOR(A) DEL CENTRO", hours="Las 24 horas, todos los días",
               keywords=("violencia", "mujeres", "denuncia")),
        office("Secretaría de Movilidad del Estado: Delegación León", E, id="movilidad-estatal",
               head="DELEGADO(A)", keywords=("transporte", "concesiones", "taxi")),
        office("Registro Público de la Propiedad, Oficina León", E, id="registro-publico", head="REGISTRADOR(A)",
               keywords=("escrituras", "propiedad", "gravamen"), procedures=("Certificado de libertad de gravamen",)),
        office("Archivo General de Notarías", E, id="archivo-notarias", head="TITULAR", keywords=("testamento",)),
        office("Poder Judicial del Estado: Juzgados Civiles y Familiares de León", E, id="juzgados-leon",
               head="COORDINADOR(A) DE GESTIÓN JUDICIAL", keywords=("juicio", "divorcio", "juzgado")),
        office("Tribunal de Justicia Administrativa del Estado de Guanajuato", E, id="tja-gto",
               head="MAGISTRADO(A) PRESIDENTE(A)", keywords=("multas", "juicio administrativo")),
        office("Junta Local de Conciliación y Arbitraje, León", E, id="junta-conciliacion", head="PRESIDENTE(A)",
               keywords=("despido", "laboral", "demanda")),
        office("Centro de Conciliación Laboral del Estado de Guanajuato", E, id="conciliacion-laboral",
               head="DELEGADO(A) REGIONAL", keywords=("despido", "conciliacion", "trabajo")),
        office("Servicio Nacional de Empleo Guanajuato, Oficina León", E, id="sne-leon", head="COORDINADOR(A)",
               keywords=("empleo", "bolsa de trabajo", "vacantes")),
        office("Instituto Guanajuatense para las Personas con Discapacidad", E, id="ingudis", acronym="INGUDIS",
               head="COORDINADOR(A) REGIONAL", keywords=("discapacidad",)),
        office("Comisión Estatal del Agua de Guanajuato", E, id="ceag", acronym="CEAG", head="DIRECTOR(A) REGIONAL",
               keywords=("agua", "pozos")),
        office("Procuraduría Ambiental y de Ordenamiento Territorial", E, id="paot", acronym="PAOT",
               head="PROCURADOR(A)", keywords=("denuncia ambiental",)),
        office("Instituto de Seguridad Social del Estado de Guanajuato", E, id="isseg", acronym="ISSEG",
               head="DELEGADO(A)", keywords=("pension", "prestamos")),
        office("Instituto de Vivienda del Estado de Guanajuato", E, id="iveg", acronym="IVEG", head="DELEGADO(A)",
               keywords=("vivienda", "credito")),
        office("Secretaría de Desarrollo Social y Humano: Región León", E, id="sedeshu-leon", acronym="SEDESHU",
               head="DELEGADO(A) REGIONAL", keywords=("apoyos", "tarjeta rosa", "programas sociales")),
        office("Secretaría de Salud de Guanajuato: Centro de Salud Urbano León", E, id="centro-salud-leon",
               head="DIRECTOR(A) DEL CENTRO", keywords=("consulta", "vacunas", "salud")),
    ]
    for name in ("Valle de Señora", "Las Joyas", "San Juan de Abajo", "León I", "San Francisco del Rincón Rumbo"):
        if name.endswith("Rumbo"):
            continue
        out.append(office(f"Centro de Salud {name}", E, "jurisdiccion-sanitaria-vii", id=f"centro-salud-{slug(name)}",
                          head="DIRECTOR(A) DEL CENTRO", keywords=("consulta", "vacunas")))
    for n, name in enumerate(("Penal", "Civil", "Familiar"), start=1):
        out.append(office(f"Defensoría Pública, Área {name}", E, "defensoria-publica",
                          id=f"defensoria-publica-{slug(name)}", head="DEFENSOR(A) COORDINADOR(A)",
                          extensions=[str(300 + n)]))
    return out


def _federal() -> list[dict]:
    gob = "https://www.gob.mx/"
    return [
        office("(SNDIF) Sistema Nacional para el Desarrollo Integral de la Familia", F, id="sndif", acronym="SNDIF",
               street="EMILIANO ZAPATA", ext="340", colonia="SANTA CRUZ ATOYAC", cp="03310", city="Ciudad de México",
               phones=["55 3003 2200"], email="atencion.ciudadana@dif.gob.mx", website="https://www.gob.mx/difnacional",
               head="TITULAR DEL SISTEMA NACIONAL DIF", keywords=("dif nacional", "familia", "adopcion", "asistencia social")),
        office("Servicio de Administración Tributaria", F, id="sat-leon", acronym="SAT", head="ADMINISTRADOR(A) DESCONCENTRADO(A)",
               website="https://www.sat.gob.mx/", phones=["55 627 22 728"],
               keywords=("rfc", "impuestos", "factura", "firma electronica"),
               procedures=("Inscripción al RFC", "e.firma", "Constancia de situación fiscal", "Declaración anual")),
        office("Instituto Mexicano del Seguro Social: Subdelegación León", F, id="imss-subdelegacion-leon", acronym="IMSS",
               head="SUBDELEGADO(A)", website="https://www.imss.gob.mx/", phones=["800 623 2323"],
               keywords=("seguro social", "nss", "incapacidad", "pension"),
               procedures=("Alta en el IMSS", "Asignación de número de seguridad social", "Pensión")),
        office("IMSS Hospital General de Zona No. 21", F, id="imss-hgz-21", head="DIRECTOR(A) DEL HOSPITAL",
               hours="Las 24 horas, todos los días", keywords=("hospital", "urgencias", "imss")),
        office("IMSS Unidad Médica de Alta Especialidad T1 León", F, id="imss-umae-t1", head="DIRECTOR(A) GENERAL",
               hours="Las 24 horas, todos los días", keywords=("especialidad", "imss")),
        office("IMSS Unidad de Medicina Familiar No. 51", F, id="imss-umf-51", head="DIRECTOR(A) DE LA UNIDAD",
               keywords=("consulta familiar", "imss")),
        office("IMSS Unidad de Medicina Familiar No. 53", F, id="imss-umf-53", head="DIRECTOR(A) DE LA UNIDAD",
               keywords=("consulta familiar", "imss")),
        office("Instituto de Seguridad y Servicios Sociales de los Trabajadores del Estado", F, id="issste-leon",
               acronym="ISSSTE", head="DIRECTOR(A) DE LA CLÍNICA HOSPITAL", keywords=("issste", "pension")),
        office("Instituto Nacional Electoral: Módulo de Atención Ciudadana León", F, id="ine-modulo-leon",
               acronym="INE", head="RESPONSABLE DEL MÓDULO", phones=["800 433 2000"],
               keywords=("credencial para votar", "ine", "credencial"),
               procedures=("Credencial para votar por primera vez", "Reposición de credencial", "Cambio de domicilio")),
        office("Procuraduría Federal del Consumidor", F, id="profeco-leon", acronym="PROFECO", head="TITULAR DE LA OFICINA",
               phones=["55 5568 8722"], keywords=("queja", "consumidor", "proveedor", "garantia")),
        office("Comisión Nacional para la Protección y Defensa de los Usuarios de Servicios Financieros", F,
               id="condusef-leon", acronym="CONDUSEF", head="TITULAR DE LA UNIDAD", keywords=("banco", "tarjeta", "credito")),
        office("Instituto del Fondo Nacional de la Vivienda para los Trabajadores", F, id="infonavit-leon",
               acronym="INFONAVIT", head="DELEGADO(A) REGIONAL", keywords=("credito", "vivienda", "subcuenta")),
        office("Fondo de la Vivienda del ISSSTE", F, id="fovissste-leon", acronym="FOVISSSTE", head="TITULAR",
               keywords=("credito", "vivienda")),
        office("Secretaría de Relaciones Exteriores: Oficina de Pasaportes León", F, id="sre-pasaportes-leon",
               acronym="SRE", head="TITULAR DE LA OFICINA", keywords=("pasaporte", "cita"),
               procedures=("Pasaporte ordinario",)),
        office("Instituto Nacional de Migración: Oficina León", F, id="inm-leon", acronym="INM", head="TITULAR",
               keywords=("migracion", "extranjeros", "residencia")),
        office("Comisión Federal de Electricidad: Centro de Atención León", F, id="cfe-leon", acronym="CFE",
               phones=["071"], head="JEFE(A) DEL CENTRO DE ATENCIÓN", keywords=("luz", "recibo", "energia")),
        office("Correos de México: Administración Postal León", F, id="correos-leon", head="ADMINISTRADOR(A) POSTAL",
               keywords=("correo", "paquetes")),
        office("Telecomunicaciones de México (Telecomm)", F, id="telecomm-leon", head="GERENTE DE SUCURSAL",
               keywords=("giros", "envio de dinero")),
        office("Registro Agrario Nacional", F, id="ran-leon", acronym="RAN", head="REPRESENTANTE", keywords=("ejido", "parcela")),
        office("Procuraduría Agraria", F, id="pa-leon", head="JEFE(A) DE RESIDENCIA", keywords=("ejido", "agrario")),
        office("Secretaría de Bienestar: Oficina Regional León", F, id="bienestar-leon", head="COORDINADOR(A) REGIONAL",
               keywords=("pension adultos mayores", "becas", "programas")),
        office("Banco del Bienestar, Sucursal León", F, id="banco-bienestar-leon", head="GERENTE DE SUCURSAL",
               keywords=("pension", "cobro", "apoyos")),
        office("Procuraduría Federal de la Defensa del Trabajo", F, id="profedet-leon", acronym="PROFEDET",
               head="PROCURADOR(A) AUXILIAR", keywords=("despido", "trabajo", "imss")),
        office("Comisión Nacional del Agua: Dirección Local Guanajuato", F, id="conagua-gto", acronym="CONAGUA",
               head="DIRECTOR(A) LOCAL", city="Celaya, Gto.", street="AV. EJÉRCITO NACIONAL", ext="1004",
               colonia="LOS ÁLAMOS", cp="38024", keywords=("concesion", "pozo")),
        office("Instituto Nacional de Estadística y Geografía: Coordinación Estatal", F, id="inegi-gto",
               acronym="INEGI", head="COORDINADOR(A) ESTATAL", keywords=("censo", "mapas", "estadistica")),
        office("Procuraduría Federal de Protección al Ambiente", F, id="profepa-gto", acronym="PROFEPA",
               head="TITULAR DE LA OFICINA", keywords=("denuncia ambiental", "animales silvestres")),
        office("Secretaría de Agricultura y Desarrollo Rural: Distrito León", F, id="sader-leon", acronym="SADER",
               head="JEFE(A) DE DISTRITO", keywords=("campo", "apoyos agricolas")),
        office("Consejo Nacional de Fomento Educativo", F, id="conafe-gto", acronym="CONAFE", head="DELEGADO(A)",
               keywords=("educacion comunitaria",)),
        office("Fiscalía General de la República: Delegación Guanajuato, Sede León", F, id="fgr-leon", acronym="FGR",
               head="FISCAL FEDERAL", hours="Las 24 horas, todos los días", keywords=("denuncia federal",)),
        office("Registro Nacional de Población: Módulo CURP", F, id="renapo-leon", acronym="RENAPO",
               head="RESPONSABLE DEL MÓDULO", keywords=("curp",), procedures=("Corrección de CURP",)),
        office("Instituto Nacional de las Personas Adultas Mayores", F, id="inapam-leon", acronym="INAPAM",
               head="COORDINADOR(A) ESTATAL", keywords=("credencial inapam", "adultos mayores", "descuentos")),
        office("Secretaría de la Defensa Nacional: Oficina de Reclutamiento", F, id="sedena-reclutamiento",
               head="JEFE(A) DE LA OFICINA", keywords=("cartilla", "servicio militar")),
    ]


def _others() -> list[dict]:
    return [
        office("AFAPE (Asociación de Familiares y Amigos de Pacientes Esquizofrénicos de León)", O, id="afape",
               acronym="AFAPE", head="PRESIDENTE(A) DEL CONSEJO", keywords=("salud mental", "esquizofrenia")),
        office("Asesoría Jurídica (Universidad Iberoamericana)", O, id="ibero-asesoria-juridica",
               head="COORDINADOR(A) DEL BUFETE", keywords=("abogado", "juridico", "gratuito")),
        office("Banco de Alimentos de León", O, id="banco-alimentos", head="DIRECTOR(A) OPERATIVO(A)",
               keywords=("despensa", "alimentos")),
        office("Cruz Roja Mexicana, Delegación León", O, id="cruz-roja-leon", phones=["911", "477 716 5400"],
               hours="Las 24 horas, todos los días", head="COORDINADOR(A) DE LA DELEGACIÓN",
               keywords=("ambulancia", "emergencia", "primeros auxilios")),
        office("Centro de Integración Juvenil León", O, id="cij-leon", acronym="CIJ", head="DIRECTOR(A) DE LA UNIDAD",
               keywords=("adicciones", "drogas", "prevencion")),
        office("Cáritas de León", O, id="caritas-leon", head="DIRECTOR(A)", keywords=("ayuda", "despensa", "albergue")),
        office("Bufete Jurídico Gratuito de la Universidad de Guanajuato, Campus León", O, id="ug-bufete",
               head="COORDINADOR(A)", keywords=("abogado", "gratuito")),
        office("Consejo Coordinador Empresarial de León", O, id="cce-leon", head="PRESIDENTE(A)"),
        office("Cámara de la Industria del Calzado del Estado de Guanajuato", O, id="ciceg", acronym="CICEG",
               head="PRESIDENTE(A)", keywords=("calzado", "industria")),
        office("Cámara Nacional de Comercio de León", O, id="canaco-leon", acronym="CANACO", head="PRESIDENTE(A)",
               keywords=("comercio", "negocios")),
        office("Alcohólicos Anónimos, Oficina Intergrupal León", O, id="aa-leon", head="COORDINADOR(A) DE SERVICIOS",
               hours="Todos los días de 9:00 a 21:00 h", keywords=("alcoholismo", "adicciones")),
        office("Albergue para Personas en Situación de Calle", O, id="albergue-situacion-calle",
               head="COORDINADOR(A) DEL ALBERGUE", hours="Las 24 horas, todos los días", keywords=("albergue", "dormir")),
        office("Asilo de Ancianos de León", O, id="asilo-ancianos", head="ADMINISTRADOR(A)", keywords=("adultos mayores",)),
        office("Casa de la Mujer Indígena", O, id="casa-mujer-indigena", head="COORDINADOR(A)"),
        office("Fundación Comunitaria del Bajío", O, id="fundacion-bajio", head="DIRECTOR(A) EJECUTIVO(A)"),
        office("Centro de Rehabilitación para Personas con Discapacidad Visual", O, id="discapacidad-visual",
               head="DIRECTOR(A)", keywords=("ciegos", "braille", "discapacidad")),
        office("Asociación de Sordos de León", O, id="sordos-leon", head="PRESIDENTE(A)",
               keywords=("lengua de señas", "discapacidad auditiva")),
        office("Colegio de Notarios del Estado de Guanajuato, Sección León", O, id="notarios-leon", head="PRESIDENTE(A)",
               keywords=("testamento", "escrituras")),
        office("Banco de Sangre de la Cruz Roja", O, id="banco-sangre", head="RESPONSABLE SANITARIO", keywords=("donar sangre",)),
        office("Casa Hogar para Niñas de León", O, id="casa-hogar-ninas", head="DIRECTOR(A)", keywords=("menores", "albergue")),
    ]


def offices() -> list[dict]:
    """Every demo office, parents before their children."""
    return _municipal() + _paramunicipal() + _state() + _federal() + _others()


def load(store: Store) -> dict:
    """Create the demo offices that do not exist yet; returns ``{created, existing}``."""
    from . import handlers

    store.ensure_indexes()
    wanted = offices()
    present = store.exists(o["id"] for o in wanted)
    created = 0
    for o in wanted:
        if o["id"] in present:
            continue
        handlers.create_office(store, ACTOR, o)
        created += 1
    return {"created": created, "existing": len(present)}


def main() -> None:
    from sacinfra.mongo import make_client

    client = make_client(os.environ.get("MONGO_URI", "mongodb://127.0.0.1:27017/?directConnection=true"))
    try:
        result = load(Store(client[os.environ.get("MONGO_DB", "directory")]))
    finally:
        client.close()
    print(f"directory demo: {result['created']} offices created, {result['existing']} already there", file=sys.stderr)


if __name__ == "__main__":
    main()
