package demo

import "github.com/accueil-prioritaire/accueil/geo"

// profession is a row of migrations/0002_professions.sql with what the demo needs to draw a
// believable parent: how common it is among the hosted families and where such people work.
// The test checks codes and tiers against the migration.
type profession struct {
	code string
	tier int
	// weight within its tier: nurses and care assistants are far more numerous than midwives.
	weight float64
	// women is the share of women in the profession (DREES and ministry figures, rounded):
	// it picks parent 1's first name.
	women float64
	// workplaces are the kinds of employer, with their relative weight.
	workplaces []workplace
}

// tierShares are the households' shares by the tier of their best profession (per mille).
var tierShares = []float64{550, 300, 150}

// workplace is a kind of employer: either named sites in given communes (hospitals, prefectures,
// prisons…), or any commune of at least minPop inhabitants (or with a hub, atHubs), named by
// employer (pharmacies, brigades, fire stations…).
type workplace struct {
	weight   float64
	sites    []site
	minPop   int
	atHubs   bool
	employer func(c geo.Commune, pick func(int) int) string
}

// site is a named employer in a commune (looked up by name and département).
type site struct {
	commune, dept, name string
	// size weighs the site against others at the same distance: the CHU employs more than a
	// local hospital.
	size float64
}

var hospitals = []site{
	{"Besançon", "25", "CHU de Besançon", 10},
	{"Besançon", "25", "Clinique Saint-Vincent", 1.5},
	{"Besançon", "25", "Polyclinique de Franche-Comté", 1.5},
	{"Novillars", "25", "Centre hospitalier de Novillars", 1},
	{"Trévenans", "90", "Hôpital Nord Franche-Comté", 7},
	{"Montbéliard", "25", "Hôpital Nord Franche-Comté, site du Mittan", 1.5},
	{"Pontarlier", "25", "CHI de Haute-Comté", 3},
	{"Baume-les-Dames", "25", "Centre hospitalier de Baume-les-Dames", 0.8},
	{"Dole", "39", "Centre hospitalier Louis-Pasteur", 3.5},
	{"Dole", "39", "Centre hospitalier spécialisé du Jura", 1},
	{"Lons-le-Saunier", "39", "Centre hospitalier Jura Sud", 3.5},
	{"Saint-Claude", "39", "Centre hospitalier Louis-Jaillon", 1.2},
	{"Champagnole", "39", "Centre hospitalier de Champagnole", 0.8},
	{"Hauts de Bienne", "39", "Hôpital de Morez", 0.5},
	{"Poligny", "39", "Hôpital de Poligny", 0.4},
	{"Salins-les-Bains", "39", "Hôpital de Salins-les-Bains", 0.4},
	{"Arbois", "39", "Hôpital d'Arbois", 0.4},
	{"Vesoul", "70", "Groupe hospitalier de la Haute-Saône", 4},
	{"Lure", "70", "Groupe hospitalier de la Haute-Saône, site de Lure", 0.8},
	{"Luxeuil-les-Bains", "70", "Groupe hospitalier de la Haute-Saône, site de Luxeuil", 0.8},
	{"Gray", "70", "Hôpital de Gray", 0.8},
	{"Saint-Rémy-en-Comté", "70", "Centre hospitalier spécialisé de Saint-Rémy", 0.5},
}

// Département-level institutions sit in the préfecture (and sous-préfectures).
var (
	prefectures = []site{
		{"Besançon", "25", "Préfecture du Doubs", 3},
		{"Lons-le-Saunier", "39", "Préfecture du Jura", 2},
		{"Vesoul", "70", "Préfecture de la Haute-Saône", 2},
		{"Belfort", "90", "Préfecture du Territoire de Belfort", 2},
		{"Montbéliard", "25", "Sous-préfecture de Montbéliard", 1},
		{"Pontarlier", "25", "Sous-préfecture de Pontarlier", 0.7},
		{"Dole", "39", "Sous-préfecture de Dole", 0.7},
		{"Saint-Claude", "39", "Sous-préfecture de Saint-Claude", 0.7},
		{"Lure", "70", "Sous-préfecture de Lure", 0.7},
	}
	arsOffices = []site{
		{"Besançon", "25", "ARS Bourgogne-Franche-Comté, délégation du Doubs", 2},
		{"Lons-le-Saunier", "39", "ARS Bourgogne-Franche-Comté, délégation du Jura", 1},
		{"Vesoul", "70", "ARS Bourgogne-Franche-Comté, délégation de la Haute-Saône", 1},
		{"Belfort", "90", "ARS Bourgogne-Franche-Comté, délégation du Territoire de Belfort", 1},
	}
	administrations = []site{
		{"Besançon", "25", "Rectorat de l'académie de Besançon", 3},
		{"Besançon", "25", "DSDEN du Doubs", 1},
		{"Besançon", "25", "DREETS Bourgogne-Franche-Comté", 1},
		{"Lons-le-Saunier", "39", "DSDEN du Jura", 1},
		{"Vesoul", "70", "DSDEN de la Haute-Saône", 1},
		{"Belfort", "90", "DSDEN du Territoire de Belfort", 1},
	}
	prisons = []site{
		{"Besançon", "25", "Maison d'arrêt de Besançon", 2},
		{"Montbéliard", "25", "Maison d'arrêt de Montbéliard", 1},
		{"Belfort", "90", "Maison d'arrêt de Belfort", 1},
		{"Vesoul", "70", "Maison d'arrêt de Vesoul", 1},
		{"Lons-le-Saunier", "39", "Maison d'arrêt de Lons-le-Saunier", 1},
	}
	commissariats = []site{
		{"Besançon", "25", "Commissariat de Besançon", 4},
		{"Belfort", "90", "Commissariat de Belfort", 2},
		{"Montbéliard", "25", "Commissariat de Montbéliard", 1.5},
		{"Audincourt", "25", "Commissariat d'Audincourt", 0.8},
		{"Pontarlier", "25", "Commissariat de Pontarlier", 1},
		{"Dole", "39", "Commissariat de Dole", 1},
		{"Lons-le-Saunier", "39", "Commissariat de Lons-le-Saunier", 1},
		{"Vesoul", "70", "Commissariat de Vesoul", 1},
	}
	gendarmerieGroups = []site{
		{"Besançon", "25", "Groupement de gendarmerie du Doubs", 1.5},
		{"Lons-le-Saunier", "39", "Groupement de gendarmerie du Jura", 1},
		{"Vesoul", "70", "Groupement de gendarmerie de la Haute-Saône", 1},
		{"Belfort", "90", "Groupement de gendarmerie du Territoire de Belfort", 1},
	}
	sdisHeadquarters = []site{
		{"École-Valentin", "25", "SDIS 25, direction départementale", 1},
		{"Lons-le-Saunier", "39", "SDIS 39, direction départementale", 1},
		{"Vesoul", "70", "SDIS 70, direction départementale", 1},
		{"Belfort", "90", "SDIS 90, direction départementale", 1},
	}
	childProtection = []site{
		{"Besançon", "25", "Conseil départemental du Doubs, aide sociale à l'enfance", 2},
		{"Lons-le-Saunier", "39", "Conseil départemental du Jura, aide sociale à l'enfance", 1},
		{"Vesoul", "70", "Conseil départemental de la Haute-Saône, aide sociale à l'enfance", 1},
		{"Belfort", "90", "Conseil départemental du Territoire de Belfort, aide sociale à l'enfance", 1},
	}
	adapei = []site{
		{"Besançon", "25", "ADAPEI du Doubs", 1},
		{"Lons-le-Saunier", "39", "ADAPEI du Jura", 1},
		{"Vesoul", "70", "ADAPEI de la Haute-Saône", 1},
		{"Belfort", "90", "ADAPEI du Territoire de Belfort", 1},
	}
	vaccinationCentres = []site{
		{"Besançon", "25", "Centre de vaccination Micropolis", 3},
	}
)

// named names the one such employer of a commune ("Brigade de gendarmerie d'Ornans").
func named(format string) func(geo.Commune, func(int) int) string {
	return func(c geo.Commune, _ func(int) int) string { return format + " " + deCommune(c.Name) }
}

// namedFrom names one of several such employers of a commune ("IME Les Érables (Lure)").
func namedFrom(prefix string, list []string) func(geo.Commune, func(int) int) string {
	return func(c geo.Commune, pick func(int) int) string {
		return prefix + list[pick(len(list))] + " (" + c.Name + ")"
	}
}

// ehpadIn names the care home of a commune always the same way, so colleagues in one town share
// one employer.
func ehpadIn(c geo.Commune, _ func(int) int) string {
	return "EHPAD " + ehpadNames[stableIndex(c.InseeCode, len(ehpadNames))] + " (" + c.Name + ")"
}

func departementalPrefix(format map[string]string) func(geo.Commune, func(int) int) string {
	return func(c geo.Commune, _ func(int) int) string { return format[c.Departement] + deCommune(c.Name) }
}

var (
	atHospital  = func(w float64) workplace { return workplace{weight: w, sites: hospitals} }
	atEHPAD     = func(w float64) workplace { return workplace{weight: w, minPop: 1000, employer: ehpadIn} }
	firestation = departementalPrefix(map[string]string{
		"25": "SDIS 25, centre de secours ", "39": "SDIS 39, centre de secours ",
		"70": "SDIS 70, centre de secours ", "90": "SDIS 90, centre de secours ",
	})
	pmi = departementalPrefix(map[string]string{
		"25": "Conseil départemental du Doubs, PMI ", "39": "Conseil départemental du Jura, PMI ",
		"70": "Conseil départemental de la Haute-Saône, PMI ",
		"90": "Conseil départemental du Territoire de Belfort, PMI ",
	})
)

// professions lists every code of migrations/0002_professions.sql, in its order.
var professions = []profession{
	{"sante_etablissement", 1, 18, 0.75, []workplace{atHospital(1)}},
	{"medecin", 1, 8, 0.5, []workplace{
		atHospital(0.45),
		{weight: 0.35, minPop: 800, employer: named("Cabinet médical")},
		{weight: 0.2, minPop: 1500, employer: named("Maison de santé")},
	}},
	{"infirmier", 1, 22, 0.87, []workplace{
		atHospital(0.65),
		{weight: 0.2, minPop: 500, employer: named("Cabinet infirmier")},
		atEHPAD(0.15),
	}},
	{"sage_femme", 1, 2, 0.97, []workplace{
		atHospital(0.75),
		{weight: 0.25, minPop: 3000, employer: named("Cabinet de sage-femme")},
	}},
	{"pharmacien", 1, 5, 0.68, []workplace{
		atHospital(0.15),
		{weight: 0.85, minPop: 800, employer: namedFrom("", pharmacyNames)},
	}},
	{"aide_soignant", 1, 20, 0.9, []workplace{atHospital(0.6), atEHPAD(0.4)}},
	{"kinesitherapeute", 1, 2, 0.5, []workplace{
		atHospital(0.2),
		{weight: 0.8, minPop: 1000, employer: named("Cabinet de kinésithérapie")},
	}},
	{"biologiste", 1, 2, 0.7, []workplace{
		atHospital(0.5),
		{weight: 0.5, minPop: 5000, employer: named("Laboratoire de biologie médicale")},
	}},
	{"ehpad", 1, 10, 0.88, []workplace{atEHPAD(1)}},
	{"handicap", 1, 5, 0.75, []workplace{
		{weight: 0.8, minPop: 2000, employer: namedFrom("", handicapNames)},
		{weight: 0.2, sites: adapei},
	}},
	{"aide_domicile", 1, 7, 0.95, []workplace{
		{weight: 0.6, minPop: 500, employer: named("ADMR")},
		{weight: 0.4, minPop: 1500, employer: named("SSIAD")},
	}},
	{"vaccination", 2, 8, 0.7, []workplace{
		{weight: 0.3, sites: vaccinationCentres},
		{weight: 0.7, minPop: 4000, employer: named("Centre de vaccination et de dépistage")},
	}},
	{"ambulancier", 2, 10, 0.35, []workplace{
		{weight: 1, minPop: 2000, employer: named("Ambulances")},
	}},
	{"pompier", 2, 18, 0.15, []workplace{
		{weight: 0.85, minPop: 800, employer: firestation},
		{weight: 0.15, sites: sdisHeadquarters},
	}},
	{"policier", 2, 20, 0.3, []workplace{
		{weight: 0.8, sites: commissariats},
		{weight: 0.2, minPop: 5000, employer: named("Police municipale")},
	}},
	{"gendarme", 2, 20, 0.22, []workplace{
		{weight: 0.85, minPop: 1200, employer: named("Brigade de gendarmerie")},
		{weight: 0.15, sites: gendarmerieGroups},
	}},
	{"penitentiaire", 2, 6, 0.3, []workplace{{weight: 1, sites: prisons}}},
	{"crise_prefecture", 2, 4, 0.55, []workplace{{weight: 1, sites: prefectures}}},
	{"crise_ars", 2, 3, 0.6, []workplace{{weight: 1, sites: arsOffices}}},
	{"crise_administration", 2, 3, 0.55, []workplace{{weight: 1, sites: administrations}}},
	{"protection_enfance", 2, 8, 0.9, []workplace{
		{weight: 0.4, sites: childProtection},
		{weight: 0.6, minPop: 5000, employer: pmi},
	}},
	// Teachers on duty work where hubs are; their employer becomes one of those hubs once the
	// hubs are named.
	{"enseignant_accueil", 3, 75, 0.8, []workplace{
		{weight: 1, atHubs: true, employer: named("École primaire")},
	}},
	{"creche_accueil", 3, 25, 0.97, []workplace{
		{weight: 0.6, minPop: 1500, employer: namedFrom("Multi-accueil ", crecheNames)},
		{weight: 0.4, minPop: 3000, employer: named("Crèche municipale")},
	}},
}
