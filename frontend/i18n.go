package frontend

import (
	"fmt"
	"strconv"
	"strings"
)

// Lang is a UI language. French is the users' language and the default; English comes second.
type Lang string

// The languages.
const (
	French  Lang = "fr"
	English Lang = "en"
)

// ParseLang returns the language named by s, French for anything else.
func ParseLang(s string) Lang {
	if s == string(English) {
		return English
	}
	return French
}

// PreferredLang reads an Accept-Language header: the language of ours the browser ranks
// highest (by q, then by order), French when it names neither.
func PreferredLang(header string) Lang {
	best, bestQ := French, 0.0
	for _, item := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(item), ";")
		primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		var lang Lang
		switch primary {
		case "fr":
			lang = French
		case "en":
			lang = English
		default:
			continue
		}
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		if q > bestQ {
			best, bestQ = lang, q
		}
	}
	return best
}

// text is one message in both languages.
type text struct{ fr, en string }

// T returns the message key in lang; an unknown key shows itself so that a gap is seen, not hidden.
func T(lang Lang, key string) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	if lang == English && m.en != "" {
		return m.en
	}
	return m.fr
}

var messages = map[string]text{
	"service.name":    {"Accueil prioritaire", "Priority childcare"},
	"service.tagline": {"Accueil des enfants des personnels prioritaires", "Childcare for the children of priority workers"},
	"lang.switch":     {"Langue", "Language"},

	"skip.content": {"Contenu", "Content"},
	"skip.menu":    {"Menu", "Menu"},
	"skip.footer":  {"Pied de page", "Footer"},
	"skip.label":   {"Accès rapide", "Quick access"},

	"nav.label":   {"Menu principal", "Main menu"},
	"nav.home":    {"Accueil", "Home"},
	"nav.menu":    {"Menu", "Menu"},
	"nav.close":   {"Fermer", "Close"},
	"nav.login":   {"Se connecter", "Log in"},
	"nav.signup":  {"Créer un compte", "Create an account"},
	"nav.logout":  {"Se déconnecter", "Log out"},
	"nav.account": {"Connecté : %s", "Logged in: %s"},

	"nav.sessions":       {"Mes sessions", "My sessions"},
	"sessions.title":     {"Mes sessions", "My sessions"},
	"sessions.lead":      {"Les appareils où votre compte est connecté. Si vous n’en reconnaissez pas un, terminez sa session et changez votre mot de passe (« Mot de passe oublié »).", "The devices where your account is logged in. If you do not recognise one, end its session and change your password (“Forgotten password”)."},
	"sessions.ip":        {"Adresse IP", "IP address"},
	"sessions.created":   {"Connexion", "Logged in"},
	"sessions.seen":      {"Dernière activité", "Last active"},
	"sessions.current":   {"Cette session", "This session"},
	"sessions.end":       {"Terminer", "End"},
	"sessions.endothers": {"Se déconnecter partout ailleurs", "Log out everywhere else"},
	"sessions.ended":     {"La session est terminée.", "The session has ended."},
	"sessions.unknown":   {"Navigateur inconnu", "Unknown browser"},
	"sessions.caption":   {"Sessions actives", "Active sessions"},

	"footer.desc": {"Service d’accueil des enfants des personnels prioritaires pendant la fermeture des écoles, géré par le rectorat et les préfectures de l’académie.",
		"Childcare for the children of priority workers while schools are closed, run by the rectorat and the prefectures of the académie."},
	"footer.accessibility": {"Accessibilité : partiellement conforme", "Accessibility: partially compliant"},
	"footer.privacy":       {"Données personnelles", "Personal data"},
	"privacy.title":        {"Données personnelles", "Personal data"},
	"mydata.title":         {"Mes données", "My data"},
	"audit.title":          {"Journal des accès", "Access log"},
	"audit.lead": {"Qui a consulté ou modifié quelles données, quand et depuis quelle adresse : feuilles d’appel, listes de contacts, notes de santé et toutes les actions des agents. Les entrées sont conservées 12 mois.",
		"Who read or changed which data, when and from where: attendance sheets, contact lists, health notes and every action of staff. Entries are kept 12 months."},
	"audit.child":    {"N° d’enfant", "Child no."},
	"audit.hub":      {"N° de pôle", "Hub no."},
	"audit.account":  {"Compte (e-mail)", "Account (e-mail)"},
	"audit.day":      {"Jour concerné", "Day concerned"},
	"audit.search":   {"Rechercher", "Search"},
	"audit.csv":      {"Exporter en CSV", "Export as CSV"},
	"audit.count":    {"%d entrées affichées (au plus %d, les plus récentes ; l’export CSV les donne toutes).", "%d entries shown (at most %d, newest first; the CSV export gives them all)."},
	"audit.when":     {"Date", "When"},
	"audit.who":      {"Compte", "Account"},
	"audit.what":     {"Action", "Action"},
	"audit.children": {"Enfants", "Children"},
	"audit.from":     {"Adresse IP", "IP address"},
	"audit.none":     {"Aucune entrée.", "No entry."},
	"audit.bad_id":   {"Saisissez un numéro (chiffres uniquement).", "Enter a number (digits only)."},
	"audit.bad_day":  {"Saisissez une date au format AAAA-MM-JJ.", "Enter a date as YYYY-MM-DD."},
	"mydata.lead": {"Voici tout ce que le service conserve sur votre foyer. Vous pouvez l’imprimer, le télécharger, le corriger ou l’effacer.",
		"Here is everything the service keeps about your household. You can print it, download it, correct it or erase it."},
	"mydata.json":       {"Télécharger (JSON)", "Download (JSON)"},
	"mydata.account":    {"Compte", "Account"},
	"mydata.household":  {"Foyer", "Household"},
	"mydata.children":   {"Enfants", "Children"},
	"mydata.days":       {"Jours réservés", "Booked days"},
	"mydata.emails":     {"E-mails envoyés", "E-mails sent"},
	"mydata.accesses":   {"Accès à vos données", "Accesses to your data"},
	"mydata.none":       {"Aucun.", "None."},
	"mydata.correct":    {"Corriger", "Correct"},
	"mydata.health":     {"Note de santé", "Health note"},
	"mydata.pickups":    {"Personnes autorisées", "Authorised pick-up persons"},
	"mydata.attendance": {"Présence", "Attendance"},
	"mydata.created":    {"Créé le", "Created"},
	"mydata.parent":     {"Parent", "Parent"},
	"mydata.home":       {"Domicile", "Home"},
	"mydata.work":       {"Travail", "Work"},
	"mydata.sworn":      {"Attestation sur l’honneur", "Sworn statement"},
	"mydata.proof":      {"Justificatif vu au pôle", "Employer proof seen"},
	"mydata.born":       {"Né(e) le", "Born"},
	"mydata.level":      {"Niveau", "Level"},
	"mydata.day":        {"Jour", "Day"},
	"mydata.child":      {"Enfant", "Child"},
	"mydata.outcome":    {"Résultat", "Outcome"},
	"mydata.cancelled":  {"Annulé", "Cancelled"},
	"mydata.absent":     {"absent(e)", "absent"},
	"mydata.role":       {"Par", "By"},
	// What a family reads of the access log's actions about it.
	"action.auth.login":               {"Connexion à votre compte", "Log-in to your account"},
	"action.auth.logout":              {"Déconnexion", "Log-out"},
	"action.auth.session_end":         {"Fin d’une session", "A session ended"},
	"action.auth.sessions_end_others": {"Fin des autres sessions", "Other sessions ended"},
	"action.account.signup":           {"Création du compte", "Account created"},
	"action.account.signup_existing":  {"Tentative de création d’un compte avec votre adresse", "Attempt to create an account with your address"},
	"action.account.data_access":      {"Consultation de « Mes données »", "“My data” read"},
	"action.sheet.download":           {"Feuille d’appel d’un pôle consultée", "A hub's attendance sheet read"},
	"action.sheet.download_day":       {"Feuilles d’appel du jour consultées", "The day's attendance sheets read"},
	"action.contacts.export":          {"Liste de contacts exportée", "Contact list exported"},
	"action.rollcall.view":            {"Appel du pôle consulté", "Hub roll call read"},
	"action.attendance.mark":          {"Présence enregistrée", "Attendance recorded"},
	"action.other":                    {"Autre accès par un agent", "Other access by staff"},
	"action.audit.search":             {"Recherche dans le journal des accès", "Access log searched"},
	"action.hub.capacity":             {"Places du pôle changées (enfant déplacé)", "Hub's seats changed (child moved)"},
	"action.hub.take_in":              {"Accueil dans un autre pôle", "Taken in at another hub"},
	"mydata.erase.title":              {"Effacer mon compte", "Erase my account"},
	"mydata.erase.lead": {"Votre compte et toutes les données de votre foyer (enfants, notes de santé, réservations, présences) seront effacés. Les places réservées seront libérées pour d’autres familles. Cette action est définitive.",
		"Your account and all your household's data (children, health notes, bookings, attendance) will be erased. Your booked seats will be freed for other families. This cannot be undone."},
	"mydata.erase.password":    {"Votre mot de passe, pour confirmer", "Your password, to confirm"},
	"mydata.erase.submit":      {"Effacer définitivement mon compte", "Erase my account for good"},
	"mydata.erase.badpassword": {"Mot de passe incorrect : rien n’a été effacé.", "Wrong password: nothing was erased."},
	"mydata.erase.done": {"Votre compte et les données de votre foyer ont été effacés. Un dernier e-mail vous le confirme.",
		"Your account and your household's data have been erased. A last e-mail confirms it."},
	"signup.privacy": {"Vos données et celles de vos enfants servent uniquement à organiser leur accueil ; elles sont effacées peu après le dernier jour réservé. En savoir plus :",
		"Your data and your children's serve only to organise their care; they are erased shortly after the last booked day. More:"},

	"role.parent":     {"Parent", "Parent"},
	"role.director":   {"Directeur ou directrice de pôle", "Hub director"},
	"role.prefecture": {"Préfecture", "Prefecture"},
	"role.rectorat":   {"Rectorat", "Rectorat"},
	"role.admin":      {"Administration", "Administration"},

	"level.maternelle":  {"Maternelle", "Nursery school"},
	"level.elementaire": {"Élémentaire", "Primary school"},
	"level.college":     {"Collège", "Secondary school"},

	"landing.title": {"Faire garder vos enfants pendant la fermeture des écoles", "Childcare while schools are closed"},
	"landing.lead": {"Si vous exercez une profession prioritaire (santé, secours, sécurité, gestion de crise…) et n’avez pas d’autre solution de garde, inscrivez vos enfants : une place dans un pôle d’accueil proche de votre domicile ou de votre travail vous est proposée immédiatement.",
		"If you work in a priority profession (health, emergency services, security, crisis management…) and have no other childcare, register your children: a seat in a hub near your home or work is offered at once."},
	"landing.who":         {"Qui peut en bénéficier ?", "Who is eligible?"},
	"landing.who.text":    {"Les enfants de moins de 16 ans dont au moins un parent exerce une profession de la liste officielle. Le justificatif de l’employeur est présenté au pôle le premier jour : aucun document n’est à envoyer.", "Children under 16 with at least one parent in a listed profession. The employer’s proof is shown at the hub on the first day: no document is uploaded."},
	"landing.staff":       {"Personnels des pôles, préfectures et rectorat : connectez-vous avec le compte qui vous a été remis.", "Hub, prefecture and rectorat staff: log in with the account you were given."},
	"landing.professions": {"Professions prioritaires et ordre de priorité", "Priority professions and order of priority"},
	"landing.tiers": {"Toutes les professions de la liste ouvrent le même droit. Lorsque les places manquent, elles sont attribuées par ordre de priorité : niveau 1 d’abord, puis 2, puis 3, et à niveau égal dans l’ordre des demandes.",
		"Every listed profession gives the same right. When seats are scarce they go by priority: tier 1 first, then 2, then 3, and within a tier in the order of the requests."},
	"landing.tier": {"Niveau %d", "Tier %d"},

	"login.title":      {"Se connecter", "Log in"},
	"login.expired":    {"Votre session a expiré et rien n’a été envoyé. Connectez-vous : vous reviendrez à votre page, avec ce que vous aviez choisi.", "Your session has ended and nothing was sent. Log in: you will come back to your page, with what you had chosen."},
	"login.email":      {"Adresse e-mail", "E-mail address"},
	"login.email.hint": {"Format attendu : nom@domaine.fr", "Expected format: name@domain.fr"},
	"login.password":   {"Mot de passe", "Password"},
	"login.submit":     {"Se connecter", "Log in"},
	"login.failed":     {"Adresse e-mail ou mot de passe incorrect.", "Wrong e-mail address or password."},
	"login.throttled":  {"Trop de tentatives pour cette adresse depuis votre connexion. Réessayez dans %s, ou choisissez un nouveau mot de passe avec « Mot de passe oublié ».", "Too many attempts for this address from your connection. Try again in %s, or choose a new password with “Forgotten password”."},
	"login.noaccount":  {"Vous n’avez pas de compte ?", "No account yet?"},
	"login.show":       {"Afficher", "Show"},

	"signup.title":         {"Créer un compte parent", "Create a parent account"},
	"signup.lead":          {"Ce compte vous permet d’inscrire votre foyer et vos enfants et de réserver les jours d’accueil.", "With this account you register your household and children and book the days you need."},
	"signup.name":          {"Prénom et nom", "First and last name"},
	"signup.password.hint": {"12 caractères au minimum. Une phrase de plusieurs mots est plus facile à retenir.", "At least 12 characters. A phrase of several words is easier to remember."},
	"signup.password2":     {"Confirmer le mot de passe", "Confirm the password"},
	"signup.submit":        {"Créer mon compte", "Create my account"},
	"signup.sent.title":    {"Vérifiez votre messagerie", "Check your mailbox"},
	"signup.sent":          {"Un e-mail vient d’être envoyé à %s. Confirmez votre adresse e-mail avec le lien qu’il contient, puis connectez-vous pour inscrire votre foyer.", "An e-mail has just been sent to %s. Confirm your e-mail address with the link it holds, then log in to register your household."},
	"form.errors":          {"Le formulaire contient des erreurs. Corrigez les champs signalés.", "The form has errors. Correct the fields shown."},

	"home.parent.title":       {"Mon foyer", "My household"},
	"home.parent.nohousehold": {"Votre foyer n’est pas encore enregistré. L’enregistrement du foyer et des enfants ouvre la réservation des jours d’accueil.", "Your household is not registered yet. Registering your household and children opens the booking of days."},
	"home.parent.children":    {"Enfants et jours demandés", "Children and days asked for"},
	"home.parent.nochildren":  {"Aucun enfant enregistré.", "No child registered."},
	"home.parent.proof":       {"Pensez à présenter l’attestation de votre employeur ou votre carte professionnelle au pôle le premier jour.", "Remember to show your employer’s attestation or your professional card at the hub on the first day."},
	"home.day":                {"Jour", "Day"},
	"home.hub":                {"Pôle", "Hub"},
	"home.status":             {"Statut", "Status"},
	"status.proposed":         {"Place proposée", "Seat proposed"},
	"status.confirmed":        {"Place confirmée", "Seat confirmed"},
	"status.waitlisted":       {"Liste d’attente", "Waitlist"},
	"status.pending":          {"En cours d’attribution", "Being allocated"},

	"home.director.title":   {"Mes pôles d’accueil", "My hubs"},
	"home.director.none":    {"Aucun pôle ne vous est rattaché. Contactez le rectorat.", "No hub is assigned to you. Contact the rectorat."},
	"home.staff.day":        {"Prochain jour d’accueil : %s", "Next open day: %s"},
	"home.level":            {"Niveau", "Level"},
	"home.capacity":         {"Capacité", "Capacity"},
	"home.placed":           {"Enfants placés", "Children placed"},
	"home.waitlisted":       {"En liste d’attente", "Waitlisted"},
	"home.requests":         {"Demandes", "Requests"},
	"home.hubs":             {"Pôles ouverts", "Open hubs"},
	"home.occupancy":        {"Occupation", "Occupancy"},
	"home.prefecture.title": {"Préfecture — %s", "Prefecture — %s"},
	"home.rectorat.title":   {"Académie de Besançon", "Académie de Besançon"},
	"home.departement":      {"Département", "Département"},
	"home.staff.caption":    {"Occupation des pôles par département", "Hub occupancy by département"},
	"home.total":            {"Total", "Total"},
	"home.nodays":           {"Aucun jour d’accueil n’est ouvert pour le moment.", "No open day for now."},

	"hub.calendar":              {"Capacité et places attribuées des prochains jours", "Capacity and seats given for the coming days"},
	"hub.closed":                {"Fermé", "Closed"},
	"hub.setcap":                {"Changer", "Change"},
	"hub.close":                 {"Fermer le pôle", "Close the hub"},
	"hub.close.hint":            {"Les enfants qui perdent leur place sont placés à nouveau selon les mêmes règles et prévenus par e-mail ; les autres ne bougent pas.", "The children who lose their seat are placed again with the same rules and told by e-mail; nobody else moves."},
	"hub.close.day":             {"Fermer le %s", "Close on %s"},
	"hub.close.all":             {"Fermer définitivement", "Close for good"},
	"occupancy.title":           {"Occupation des pôles", "Hub occupancy"},
	"occupancy.week":            {"Occupation des cinq prochains jours", "Occupancy of the next five days"},
	"occupancy.days":            {"Jours à venir", "Coming days"},
	"occupancy.periodcsv":       {"CSV des jours à venir", "CSV of the coming days"},
	"import.title":              {"Ouvrir des pôles", "Open hubs"},
	"import.lead":               {"Collez ou déposez un extrait de l’annuaire des établissements (séparateur « ; »), une école par ligne : une école nouvelle devient un pôle (un groupe par niveau accueilli), une école connue est mise à jour. Faites d’abord un essai : rien n’est enregistré et le rapport montre ce qui changerait.", "Paste or upload an extract of the schools directory (“;” separator), one school per line: a new school becomes a hub (one group per level), a known one is updated. Try first: nothing is kept and the report shows what would change."},
	"import.paste":              {"Lignes CSV", "CSV lines"},
	"import.file":               {"ou fichier CSV", "or a CSV file"},
	"import.dry":                {"Essai sans rien enregistrer", "Trial run, nothing kept"},
	"import.submit":             {"Importer", "Import"},
	"import.report":             {"Rapport d’import", "Import report"},
	"import.dryreport":          {"Rapport de l’essai (rien n’a été enregistré)", "Trial report (nothing was kept)"},
	"import.line":               {"Ligne", "Line"},
	"import.action":             {"Résultat", "Result"},
	"import.reason":             {"Motif", "Reason"},
	"import.rejected":           {"Rejetée", "Rejected"},
	"import.created":            {"Créé", "Created"},
	"import.updated":            {"Modifié", "Updated"},
	"import.unchanged":          {"Inchangé", "Unchanged"},
	"import.refused":            {"Le fichier contient %d ligne(s) refusée(s) : rien n’a été enregistré. Corrigez les lignes signalées ci-dessous et recommencez.", "The file has %d line(s) refused: nothing was kept. Correct the lines shown below and try again."},
	"import.decoded":            {"Le fichier n’était pas encodé en UTF-8 : il a été lu comme un fichier Windows-1252 (Excel). Vérifiez les accents dans le rapport.", "The file was not UTF-8: it was read as Windows-1252 (Excel). Check the accents in the report."},
	"import.rejectedlines":      {"Lignes refusées", "Lines refused"},
	"import.err.line":           {"Ligne %d : %s", "Line %d: %s"},
	"import.err.empty":          {"Le fichier est vide : la première ligne doit nommer les colonnes (uai;nom;adresse;code_commune;latitude;longitude;type).", "The file is empty: its first line must name the columns (uai;nom;adresse;code_commune;latitude;longitude;type)."},
	"import.err.nolines":        {"Le fichier ne contient aucune école après la ligne des colonnes.", "The file holds no school after the line of column names."},
	"import.err.header":         {"Ligne 1 (noms des colonnes) illisible : %s", "Line 1 (column names) cannot be read: %s"},
	"import.err.column":         {"Colonne « %s » absente (attendu : %s).", "Column “%s” is missing (expected: %s)."},
	"import.err.csv":            {"ligne mal formée", "malformed line"},
	"import.err.barequote":      {"guillemet « \" » inattendu en colonne %d (entourez de guillemets tout le champ qui en contient)", "unexpected quote “\"” in column %d (put the whole field that holds one within quotes)"},
	"import.err.quote":          {"guillemet « \" » manquant ou en trop en colonne %d", "missing or extra quote “\"” in column %d"},
	"import.err.fields":         {"%d champs au lieu de %d", "%d fields instead of %d"},
	"import.err.formula":        {"colonne « %s » : une cellule ne peut pas commencer par =, +, -, @ ni par une tabulation (formule de tableur)", "column “%s”: a cell cannot start with =, +, -, @ or a tab (spreadsheet formula)"},
	"import.err.uai":            {"UAI invalide (7 chiffres et une lettre)", "invalid UAI (7 digits and a letter)"},
	"import.err.duplicate":      {"UAI %s déjà présent ligne %d : une école ne figure qu’une fois par fichier", "UAI %s already on line %d: a school appears only once per file"},
	"import.err.name":           {"nom vide ou invalide", "empty or invalid name"},
	"import.err.address":        {"adresse invalide", "invalid address"},
	"import.err.position":       {"latitude ou longitude invalide", "invalid latitude or longitude"},
	"import.err.type":           {"type inconnu (maternelle, elementaire, primaire ou college)", "unknown type (maternelle, elementaire, primaire or college)"},
	"import.err.commune":        {"commune %s inconnue", "unknown commune %s"},
	"import.err.communescope":   {"commune du département %s, hors de votre périmètre", "commune of département %s, outside your scope"},
	"import.err.hubscope":       {"l’établissement %s est un pôle du département %s, hors de votre périmètre : il n’est pas modifié", "school %s is a hub of département %s, outside your scope: it is not changed"},
	"import.err.unknown":        {"ligne refusée (%s)", "line refused (%s)"},
	"alloc.title":               {"Attribution des places", "Seat allocation"},
	"alloc.lead":                {"Lancez l’attribution pour une période : les enfants en attente ou sans réponse sont placés selon les règles. Avec « rééquilibrer », les places proposées (jamais les confirmées) sont aussi redistribuées.", "Run the allocation for a period: children waiting or without an answer are placed by the rules. With “rebalance”, proposed seats (never confirmed ones) are given again too."},
	"alloc.from":                {"Du", "From"},
	"alloc.to":                  {"Au", "To"},
	"alloc.rebalance":           {"Rééquilibrer les places proposées", "Rebalance proposed seats"},
	"alloc.run":                 {"Lancer", "Run"},
	"alloc.runs":                {"Derniers calculs", "Latest runs"},
	"trends.title":              {"Tendances", "Trends"},
	"trends.lead":               {"Enfants placés, présents à l’appel et en liste d’attente, jour par jour, deux semaines avant et après aujourd’hui.", "Children placed, present at roll call and waiting, day by day, two weeks before and after today."},
	"map.title":                 {"Carte des pôles", "Map of the hubs"},
	"map.legend":                {"Chaque pôle est un cercle : rouge au-dessus de 90 % d’occupation, bleu en dessous de 20 %, vert entre les deux ; la taille suit la capacité. Les cercles orange en pointillés montrent les enfants en attente par commune.", "Each hub is a circle: red above 90 % occupancy, blue under 20 %, green in between; size follows capacity. Dashed orange circles show children waiting by commune."},
	"map.noscript":              {"La carte demande JavaScript ; le tableau d’occupation donne les mêmes chiffres.", "The map needs JavaScript; the occupancy table gives the same figures."},
	"alerts.title":              {"Alertes", "Alerts"},
	"alerts.full":               {"%d pôles occupés à plus de 90 %% :", "%d hubs above 90 %%:"},
	"alerts.empty":              {"%d pôles occupés à moins de 20 %% :", "%d hubs under 20 %%:"},
	"alerts.waiting":            {"Enfants en liste d’attente, par commune :", "Children on the waitlist, by commune:"},
	"alerts.silent":             {"%d pôles n’ont pas commencé l’appel à 10 h :", "%d hubs had not started the roll call by 10:00:"},
	"occupancy.search":          {"Pôle, commune ou UAI", "Hub, commune or UAI"},
	"occupancy.state":           {"Occupation", "Occupancy"},
	"occupancy.all":             {"Toutes", "All"},
	"occupancy.full":            {"Plus de 90 %", "Above 90 %"},
	"occupancy.empty":           {"Moins de 20 %", "Under 20 %"},
	"occupancy.ok":              {"Entre 20 et 90 %", "Between 20 and 90 %"},
	"occupancy.sort":            {"Trier par", "Sort by"},
	"occupancy.sort.nom":        {"Nom du pôle", "Hub name"},
	"occupancy.sort.occupation": {"Occupation", "Occupancy"},
	"occupancy.sort.attente":    {"Enfants en attente", "Children waiting"},
	"occupancy.sort.commune":    {"Commune", "Commune"},
	"occupancy.apply":           {"Afficher", "Show"},
	"occupancy.commune":         {"Commune", "Commune"},
	"occupancy.levels":          {"Places par niveau", "Seats per level"},
	"occupancy.waiting":         {"En attente à moins de 20 km", "Waiting within 20 km"},
	"occupancy.presentshort":    {"présents", "present"},
	"hub.sheet.html":            {"Version à imprimer depuis le navigateur", "Version to print from the browser"},
	"hub.present":               {"Présents à l’appel", "Present at roll call"},
	"hub.checkin":               {"Faire l’appel", "Take the roll call"},
	"checkin.title":             {"Appel", "Roll call"},
	"checkin.count":             {"%d présents sur %d attendus", "%d present out of %d expected"},
	"checkin.yesterday":         {"Saisir l’appel d’hier (depuis la feuille papier)", "Enter yesterday’s roll call (from the paper sheet)"},
	"checkin.today":             {"Revenir à aujourd’hui", "Back to today"},
	"checkin.none":              {"Aucun enfant n’est attendu ce jour-là.", "No child is expected that day."},
	"checkin.present":           {"Présent", "Present"},
	"checkin.absent":            {"Absent", "Absent"},
	"checkin.booked":            {"Réservé", "Booked"},
	"checkin.proof.todo":        {"justificatif employeur à vérifier", "employer proof to check"},
	"checkin.arrived":           {"Arrivée", "Arrived"},
	"checkin.departed":          {"Départ", "Left"},
	"checkin.proof":             {"Justificatif vu", "Proof seen"},
	"checkin.at":                {"Heure", "Time"},
	"checkin.walkin":            {"Un enfant n’est pas sur la liste ?", "A child is not on the list?"},
	"checkin.walkin.hint":       {"Cherchez-le par son nom (3 lettres au moins) : il peut être accueilli s’il a une réservation ce jour (dans un autre pôle ou en liste d’attente), si son domicile ou son travail, selon sa demande, est à moins de %g km d’ici et qu’une place de son niveau est libre ici.", "Search by last name (3 letters at least): the child can be hosted if booked for today (at another hub or on the waitlist), if its home or work, as asked, is within %g km of here, and a seat of its level is free here."},
	"checkin.search":            {"Chercher", "Search"},
	"checkin.takein":            {"Accueillir ici", "Host here"},
	"checkin.walkin.none":       {"Aucun enfant avec une réservation ce jour ne correspond.", "No child booked for today matches."},
	"hub.sheet.pdf":             {"Feuille de présence du prochain jour (PDF)", "Attendance sheet of the next day (PDF)"},
	"hub.sheet.csv":             {"La même en CSV", "The same as CSV"},

	"household.title":             {"Mon foyer : parents et lieux", "My household: parents and places"},
	"household.lead":              {"Au moins un parent doit exercer une profession de la liste. Ces informations servent à vous proposer un pôle et figurent sur la fiche d’appel du pôle.", "At least one parent must work in a listed profession. This information is used to offer you a hub and appears on the hub’s attendance sheet."},
	"household.parent1":           {"Parent 1 (profession prioritaire)", "Parent 1 (priority profession)"},
	"household.parent2":           {"Parent 2 (facultatif)", "Parent 2 (optional)"},
	"household.p2present":         {"Ajouter un second parent", "Add a second parent"},
	"household.first":             {"Prénom", "First name"},
	"household.last":              {"Nom", "Last name"},
	"household.phone":             {"Téléphone", "Phone"},
	"household.phone.hint":        {"Le pôle vous appellera à ce numéro. Format : 06 12 34 56 78", "The hub will call you on this number. Format: 06 12 34 56 78"},
	"household.profession":        {"Profession", "Profession"},
	"household.profession.hint":   {"Le niveau de priorité s’applique quand les places manquent.", "The priority tier applies when seats are scarce."},
	"household.profession.choose": {"Choisissez une profession", "Choose a profession"},
	"household.profession.none":   {"Aucune profession prioritaire", "No priority profession"},
	"household.employer":          {"Employeur", "Employer"},
	"household.employer.hint":     {"Par exemple : CHU de Besançon, SDIS 25", "For example: CHU de Besançon, SDIS 25"},
	"household.places":            {"Domicile et lieu de travail", "Home and workplace"},
	"household.address":           {"Adresse du domicile", "Home address"},
	"household.homecommune":       {"Commune du domicile", "Home commune"},
	"household.workcommune":       {"Commune du lieu de travail", "Workplace commune"},
	"household.commune.hint":      {"Tapez le nom ou le code postal, puis choisissez dans la liste.", "Type the name or the postal code, then pick from the list."},
	"household.rules":             {"Accueil de vos enfants", "Hosting your children"},
	"household.split":             {"J’accepte que mes enfants soient accueillis dans des pôles différents", "I accept that my children be hosted in different hubs"},
	"household.split.hint":        {"Sinon, frères et sœurs sont toujours accueillis ensemble, ce qui peut réduire les places possibles. Un collégien et un enfant plus jeune ne peuvent pas être dans le même pôle.", "Otherwise brothers and sisters are always hosted together, which can leave fewer seats. A collège pupil and a younger child cannot share a hub."},
	"household.sworn":             {"Je déclare sur l’honneur exercer la profession indiquée et n’avoir aucune autre solution de garde pour mes enfants.", "I declare on my honour that I work in the profession given and have no other childcare for my children."},
	"household.proof":             {"Aucun document n’est à envoyer : présentez l’attestation de votre employeur ou votre carte professionnelle au pôle le premier jour.", "No document is uploaded: show your employer’s attestation or your professional card at the hub on the first day."},
	"household.submit":            {"Enregistrer mon foyer", "Save my household"},
	"household.edit":              {"Modifier mon foyer", "Edit my household"},
	"household.register":          {"Enregistrer mon foyer", "Register my household"},

	"child.new":             {"Ajouter un enfant", "Add a child"},
	"child.edit":            {"Modifier l’enfant", "Edit the child"},
	"child.identity":        {"L’enfant", "The child"},
	"child.birth":           {"Date de naissance", "Birth date"},
	"child.birth.hint":      {"Format : JJ/MM/AAAA. L’accueil concerne les enfants de 3 à 15 ans.", "Format: DD/MM/YYYY. Children aged 3 to 15 are hosted."},
	"child.level":           {"Niveau scolaire", "School level"},
	"child.level.hint":      {"Déduit de l’année de naissance ; modifiez-le si votre enfant a un an d’avance ou de retard.", "Derived from the birth year; change it if your child is a year ahead or behind."},
	"child.level.auto":      {"Déduire de la date de naissance", "Derive from the birth date"},
	"child.level.birth":     {"Le champ « Niveau scolaire » ne correspond pas à la date de naissance : un enfant né en %d est en %s cette année, à un an d’avance ou de retard près.", "The “School level” does not match the birth date: a child born in %d is in %s this year, give or take a year ahead or behind."},
	"child.level.seat":      {"Ce niveau n’est pas accueilli dans le pôle où votre enfant a déjà une place : annulez d’abord ces jours.", "This level is not hosted in the hub where your child already has a seat: cancel those days first."},
	"child.health":          {"Santé, allergies, PAI (facultatif)", "Health, allergies, PAI (optional)"},
	"child.health.hint":     {"Visible uniquement par la direction du pôle qui accueille votre enfant. 500 caractères au plus.", "Shown only to the director of the hub hosting your child. 500 characters at most."},
	"child.pickups":         {"Personnes autorisées à venir chercher l’enfant", "People allowed to collect the child"},
	"child.pickups.hint":    {"En plus des parents. Une pièce d’identité leur sera demandée.", "Besides the parents. They will be asked for an identity document."},
	"child.pickup.name":     {"Personne %s : prénom et nom", "Person %s: first and last name"},
	"child.pickup.relation": {"Lien avec l’enfant (grand-parent, voisin…)", "Relation to the child (grandparent, neighbour…)"},
	"child.save":            {"Enregistrer", "Save"},
	"child.cancel":          {"Annuler", "Cancel"},
	"child.delete":          {"Retirer cet enfant et ses réservations", "Remove this child and its bookings"},
	"child.add":             {"Ajouter un enfant", "Add a child"},
	"child.modify":          {"Modifier", "Edit"},

	"booking.title":       {"Réserver des jours d’accueil", "Book days"},
	"booking.rules.title": {"Comment les places sont attribuées", "How seats are given"},
	"booking.rules": {"Vous recevez tout de suite une place proposée dans un pôle proche, ou une place sur la liste d’attente. La veille de chaque jour à %s, les places sont confirmées : si elles manquent, elles vont d’abord aux professions de niveau 1, puis 2, puis 3, et à niveau égal aux premières demandes ; une place proposée peut alors changer, et vous êtes prévenu par e-mail. Frères et sœurs sont accueillis ensemble, si possible dans le même pôle toute la semaine.",
		"You get at once a proposed seat in a hub nearby, or a place on the waitlist. The day before each day at %s, seats are confirmed: when they are scarce they go first to tier 1 professions, then 2, then 3, and within a tier to the earliest requests; a proposed seat may then change, and you are told by e-mail. Brothers and sisters are hosted together, in the same hub all week when possible."},
	"booking.children":                  {"Enfants à accueillir", "Children to host"},
	"booking.child":                     {"Enfant", "Child"},
	"booking.days":                      {"Jours", "Days"},
	"booking.days.hint":                 {"Les jours ouverts des deux prochaines semaines.", "The open days of the next two weeks."},
	"booking.where":                     {"Pôle proche de", "Hub near"},
	"booking.home":                      {"mon domicile", "my home"},
	"booking.work":                      {"mon lieu de travail", "my workplace"},
	"booking.times":                     {"Horaires (accueil de 7 h 30 à 18 h 30)", "Times (hosting from 7:30 to 18:30)"},
	"booking.arrive_at":                 {"Arrivée", "Arrival"},
	"booking.depart_at":                 {"Départ", "Departure"},
	"booking.submit":                    {"Réserver", "Book"},
	"booking.result":                    {"Votre réservation", "Your booking"},
	"booking.result.lead":               {"Votre demande est enregistrée. Voici la réponse pour chaque jour ; un e-mail récapitulatif vous est envoyé.", "Your request is recorded. Here is the answer for each day; a summary e-mail is on its way."},
	"booking.position":                  {"Position %d sur la liste d’attente", "Position %d on the waitlist"},
	"booking.map":                       {"Voir sur la carte", "See on the map"},
	"booking.more":                      {"Réserver d’autres jours", "Book other days"},
	"booking.resubmit":                  {"Ce formulaire a déjà été envoyé avec d’autres choix : vérifiez-les et envoyez de nouveau.", "This form was already sent with other choices: check them and send again."},
	"bookings.title":                    {"Mes réservations", "My bookings"},
	"bookings.none":                     {"Aucune réservation à venir.", "No upcoming booking."},
	"bookings.cancel":                   {"Annuler ce jour", "Cancel this day"},
	"bookings.cancelall":                {"Annuler toutes mes réservations à venir", "Cancel all my upcoming bookings"},
	"bookings.cancelall.confirm":        {"Je confirme : annuler tous les jours à venir de tous mes enfants", "I confirm: cancel every coming day of all my children"},
	"bookings.cancelall.confirm.needed": {"Cochez la case pour confirmer : rien n’a été annulé.", "Tick the box to confirm: nothing was cancelled."},
	"bookings.cancelled":                {"%d jour(s) annulé(s) : les places sont libérées pour d’autres familles, un e-mail vous le confirme.", "%d day(s) cancelled: the seats are freed for other families, an e-mail confirms it."},
	"bookings.kept":                     {"%d jour(s) n’ont pas été annulés : l’enfant a déjà été accueilli ce jour-là. Les autres jours sont annulés.", "%d day(s) were not cancelled: the child has already been checked in that day. The other days are cancelled."},
	"bookings.locked":                   {"Enfant déjà accueilli ce jour : ce jour ne peut plus être annulé.", "Child already checked in that day: it can no longer be cancelled."},

	"confirm.title":      {"Confirmation de l’adresse e-mail", "E-mail address confirmation"},
	"confirm.done":       {"Votre adresse e-mail est confirmée : vous pouvez réserver.", "Your e-mail address is confirmed: you can book."},
	"confirm.done.login": {"Votre adresse e-mail est confirmée : connectez-vous pour inscrire votre foyer et réserver.", "Your e-mail address is confirmed: log in to register your household and book."},
	"confirm.bad":        {"Ce lien n’est pas valable : il a déjà servi ou a expiré. Demandez-en un nouveau depuis « Mon foyer ».", "This link is not valid: it was used already or has expired. Ask for a new one from “My household”."},
	"confirm.needed":     {"Confirmez votre adresse e-mail avec le lien que nous vous avons envoyé : c’est nécessaire pour réserver.", "Confirm your e-mail address with the link we sent you: booking needs it."},
	"confirm.resend":     {"Recevoir le lien de nouveau", "Send the link again"},
	"confirm.sent":       {"Un nouveau lien de confirmation vous a été envoyé.", "A new confirmation link has been sent to you."},
	"reset.title":        {"Mot de passe oublié", "Forgotten password"},
	"reset.lead":         {"Indiquez l’adresse de votre compte : nous y enverrons un lien pour choisir un nouveau mot de passe.", "Give your account’s address: we will send a link there to choose a new password."},
	"reset.send":         {"Recevoir le lien", "Send the link"},
	"reset.sent":         {"Si un compte existe avec cette adresse, un lien valable une heure vient d’y être envoyé.", "If an account exists with this address, a link valid for one hour has just been sent to it."},
	"reset.email.bad":    {"Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.", "Enter a valid e-mail address, such as name@example.fr."},
	"reset.choose":       {"Choisir un nouveau mot de passe", "Choose a new password"},
	"reset.save":         {"Enregistrer le mot de passe", "Save the password"},
	"reset.differ":       {"Les deux mots de passe ne sont pas identiques.", "The two passwords differ."},
	"reset.bad":          {"Ce lien n’est pas valable : il a déjà servi ou a expiré. Demandez-en un nouveau.", "This link is not valid: it was used already or has expired. Ask for a new one."},
	"reset.done":         {"Votre mot de passe est changé. Connectez-vous avec le nouveau.", "Your password is changed. Log in with the new one."},

	"error.title":   {"Erreur", "Error"},
	"error.back":    {"Retour à l’accueil", "Back to the home page"},
	"error.request": {"Référence de la demande : %s", "Request reference: %s"},
}

// Tf is T with fmt.Sprintf arguments.
func Tf(lang Lang, key string, args ...any) string { return fmt.Sprintf(T(lang, key), args...) }

// Pick returns fr or en by lang: for messages built in code rather than kept in the catalogue.
func Pick(lang Lang, fr, en string) string {
	if lang == English {
		return en
	}
	return fr
}
