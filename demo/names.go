package demo

// Name lists for the demo académie. They mix the names actually found in Franche-Comté today:
// common French and Franc-Comtois surnames, and the families that came from the Maghreb, West
// Africa, Portugal, Italy, Turkey, Vietnam or Germany. Accents and apostrophes are kept on
// purpose: every screen, sheet and search must cope with them.

// origin groups surnames with the first names a parent of that family would plausibly carry.
type origin struct {
	// share of households, in per mille.
	share    int
	surnames []string
	women    []string
	men      []string
}

// origins: the first one is the majority; the parent first names of the others are used for
// about two parents in three of such households, the rest take names from the majority lists.
var origins = []origin{
	{
		share: 780,
		surnames: []string{
			"Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau",
			"Laurent", "Simon", "Michel", "Lefèvre", "Leroy", "Roux", "David", "Bertrand", "Morel",
			"Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent",
			"Mercier", "Faure", "André", "Blanc", "Guérin", "Boyer", "Garnier", "Chevalier", "François",
			"Legrand", "Gauthier", "Perrin", "Robin", "Clément", "Morin", "Nicolas", "Henry", "Roussel",
			"Mathieu", "Masson", "Marchand", "Duval", "Denis", "Dumont", "Lemaire", "Noël", "Dufour",
			"Meunier", "Brun", "Blanchard", "Giraud", "Joly", "Rivière", "Lucas", "Brunet", "Gaillard",
			"Barbier", "Arnaud", "Gérard", "Roche", "Renard", "Roy", "Colin", "Caron", "Picard",
			"Fabre", "Aubert", "Lemoine", "Renaud", "Dumas", "Lacroix", "Olivier", "Bourgeois",
			"Benoît", "Rey", "Leclerc", "Rolland", "Guillaume", "Lecomte", "Dupuy", "Guillot", "Hubert",
			"Berger", "Carpentier", "Dupuis", "Moulin", "Deschamps", "Huet", "Boucher", "Fleury",
			"Royer", "Jacquet", "Adam", "Poirier", "Aubry", "Guyot", "Carré", "Charpentier", "Ménard",
			"Maillard", "Baron", "Bertin", "Bailly", "Hervé", "Le Gall", "Collet", "Léger", "Bouvier",
			"Prévost", "Millet", "Perrot", "Cousin", "Germain", "Besson", "Rémy", "Le Goff", "Lévêque",
			"Perrier", "Leblanc", "Lebrun", "Marchal", "Mallet", "Boulanger", "Monnier", "Michaud",
			"Gillet", "Étienne", "Chauvin", "Lemaître", "Maréchal", "Humbert", "Perret", "Barthélemy",
			"Cordier", "Lejeune", "Lamy", "Dupré", "Desbois", "Delorme", "Thiébaut",
			// Franc-Comtois and jurassien names, frequent in the académie.
			"Cuenot", "Jeannin", "Vuillemin", "Grandjean", "Girardot", "Cretin", "Pernot", "Faivre",
			"Jacquot", "Mougin", "Vernier", "Tissot", "Monnin", "Bobillier", "Duvernois", "Pourcelot",
			"Vuillaume", "Guyon", "Cattin", "Prêtre", "Belot", "Chopard", "Sauvageot", "Cuenin",
			"Jeanningros", "Bouveret", "Courvoisier", "Demougeot", "Grosjean", "Mairot", "Nicod",
			"Pheulpin", "Thiébaud", "Vuillet", "Bourdin", "Coulon", "Gindre", "Midol", "Pianet",
			"Bôle-Richard", "Saint-Hilaire", "L'Hôte", "D'Arnoult", "Faivre-Pierret", "Jeunet",
			"Vieille-Grosjean", "Cupillard", "Louvrier", "Magnin", "Racine", "Bulle", "Gressot",
		},
		women: []string{
			"Aurélie", "Céline", "Sandrine", "Stéphanie", "Émilie", "Audrey", "Mélanie", "Élodie",
			"Virginie", "Nathalie", "Julie", "Camille", "Sophie", "Laetitia", "Caroline", "Delphine",
			"Hélène", "Cécile", "Anne-Sophie", "Marie", "Claire", "Anaïs", "Amandine", "Pauline",
			"Mathilde", "Charlotte", "Marion", "Sarah", "Laura", "Élise", "Gaëlle", "Noémie",
			"Coralie", "Jessica", "Vanessa", "Karine", "Séverine", "Valérie", "Isabelle", "Agnès",
			"Maud", "Lucie", "Manon", "Solène", "Chloé", "Morgane", "Ophélie", "Fanny", "Justine",
			"Bérengère", "Françoise", "Geneviève", "Marie-Hélène", "Clémence", "Adeline", "Estelle",
		},
		men: []string{
			"Julien", "Nicolas", "Sébastien", "Guillaume", "Romain", "Thomas", "Maxime", "Anthony",
			"Kévin", "Jérémy", "Christophe", "Cédric", "Fabien", "Damien", "Mathieu", "Alexandre",
			"Jérôme", "Frédéric", "Stéphane", "Laurent", "Olivier", "Vincent", "Benoît", "François",
			"Pierre", "Antoine", "Florian", "Yannick", "Grégory", "Loïc", "Joël", "Aurélien",
			"Rémi", "Arnaud", "Hugo", "Clément", "Adrien", "Bastien", "Gaël", "Jean-Baptiste",
			"Pierre-Yves", "Thibaut", "Quentin", "Vivien", "Raphaël", "Emmanuel", "Éric", "Hervé",
		},
	},
	{
		share: 90,
		surnames: []string{
			"El Amrani", "Benali", "Bensaïd", "Haddad", "Benmoussa", "Belkacem", "Hamdi", "Cherif",
			"Mansouri", "Bouzid", "Ait Ali", "Boukhari", "El Idrissi", "Ouali", "Saïdi", "Ziani",
			"Lahlou", "Kaddour", "Meziane", "Aït-Ouarab", "Brahimi", "Chaouch", "Ben Youssef",
			"Hamidou", "Touati", "Rahmouni",
		},
		women: []string{
			"Fatima", "Nadia", "Karima", "Samira", "Leïla", "Myriam", "Yasmina", "Souad", "Naïma",
			"Nora", "Sabrina", "Hanane", "Malika", "Amel", "Siham", "Djamila", "Inès", "Sonia",
		},
		men: []string{
			"Mohamed", "Karim", "Rachid", "Samir", "Nabil", "Mehdi", "Sofiane", "Farid", "Youssef",
			"Hicham", "Mourad", "Redouane", "Bilal", "Yacine", "Khaled", "Amine", "Saïd", "Nordine",
		},
	},
	{
		share: 40,
		surnames: []string{
			"N'Diaye", "Diallo", "Traoré", "Koné", "Camara", "Sow", "Diop", "Mendy", "Kouassi",
			"N'Guessan", "Keïta", "Touré", "Sylla", "Bamba", "Mbaye", "Ouattara", "Fofana", "Cissé",
		},
		women: []string{
			"Aminata", "Fatoumata", "Aïssatou", "Mariam", "Awa", "Adama", "Kadiatou", "Binta",
			"Ramatoulaye", "Christelle", "Grâce", "Nadège",
		},
		men: []string{
			"Mamadou", "Ibrahima", "Moussa", "Souleymane", "Abdoulaye", "Ousmane", "Cheikh",
			"Boubacar", "Serge", "Hervé", "Jean-Marc", "Yao",
		},
	},
	{
		share: 40,
		surnames: []string{
			"Da Silva", "Ferreira", "Pereira", "Dos Santos", "Rodrigues", "Oliveira", "Costa",
			"Martins", "Gonçalves", "Fernandes", "Teixeira", "Lopes", "Rossi", "Russo", "Bianchi",
			"Esposito", "D'Angelo", "Colombo", "García", "Martínez", "López", "Fernández", "Sánchez",
		},
		women: []string{
			"Ana", "Sofia", "Carla", "Patrícia", "Giulia", "Francesca", "Elena", "Lucía", "Carmen",
			"Maria", "Sílvia", "Cristina",
		},
		men: []string{
			"João", "Paulo", "Nuno", "Ricardo", "Marco", "Luca", "Giovanni", "Alessandro", "Javier",
			"José", "Miguel", "Antonio",
		},
	},
	{
		share: 20,
		surnames: []string{
			"Nguyen", "Lê", "Tran", "Pham", "Phan", "Vu", "Dang", "Hoang", "Ly", "Chen", "Wang",
		},
		women: []string{"Linh", "Thi Mai", "Lan", "Hoa", "Thu", "Mei", "Ngoc"},
		men:   []string{"Minh", "Duc", "Tuan", "Hung", "Quang", "Bao", "Wei"},
	},
	{
		share: 30,
		surnames: []string{
			"Müller", "Schmitt", "Weiss", "Wagner", "Schneider", "Meyer", "Klein", "Kowalski",
			"Nowak", "Wiśniewski", "Yılmaz", "Kaya", "Demir", "Öztürk", "Çelik", "Arslan", "Popescu",
		},
		women: []string{"Anna", "Katarzyna", "Ewa", "Elif", "Zeynep", "Ayşe", "Ioana", "Eva"},
		men:   []string{"Lukas", "Stefan", "Piotr", "Tomasz", "Emre", "Mehmet", "Murat", "Andrei"},
	},
}

// Children's first names: those given in France between 2010 and 2023, with their accents.
var (
	girlNames = []string{
		"Éloïse", "Chloé", "Zoé", "Inès", "Léa", "Emma", "Jade", "Louise", "Alice", "Lina", "Rose",
		"Anna", "Mila", "Ambre", "Juliette", "Lou", "Romane", "Agathe", "Adèle", "Mia", "Nina",
		"Léonie", "Capucine", "Margaux", "Clémence", "Maëlys", "Léna", "Manon", "Camille", "Sarah",
		"Héloïse", "Anaëlle", "Célia", "Jeanne", "Lucie", "Élise", "Iris", "Lola", "Giulia",
		"Yasmine", "Nour", "Aya", "Kenza", "Sofia", "Maryam", "Aïcha", "Salomé", "Apolline",
		"Constance", "Éléna", "Gabrielle", "Noémie", "Océane", "Alix", "Lya", "Maëlle", "Victoire",
	}
	boyNames = []string{
		"Noé", "Maël", "Gabriel", "Léo", "Raphaël", "Louis", "Arthur", "Jules", "Lucas", "Adam",
		"Hugo", "Noah", "Paul", "Nathan", "Sacha", "Tom", "Gabin", "Timéo", "Théo", "Ethan",
		"Aaron", "Rayan", "Nino", "Éden", "Marius", "Léon", "Axel", "Eliott", "Mathis", "Enzo",
		"Timothée", "Baptiste", "Matéo", "Mohamed", "Ismaël", "Yanis", "Ilyes", "Ayoub", "Amir",
		"Côme", "Augustin", "Victor", "Clément", "Samuel", "Lenny", "Noam", "Soan", "Anatole",
		"Joachim", "Évan", "Loïs", "Owen", "Elio", "Malo", "Mathéo", "Kylian", "Ibrahim",
	}
)

// Grand-parents' first names, for the pick-up persons.
var (
	elderWomen = []string{
		"Monique", "Martine", "Françoise", "Chantal", "Jacqueline", "Danièle", "Josiane",
		"Mireille", "Christiane", "Brigitte", "Sylvie", "Annie", "Colette", "Odile", "Fatima",
		"Zohra", "Maria", "Thérèse", "Marie-Claude", "Évelyne",
	}
	elderMen = []string{
		"Bernard", "Gérard", "Michel", "Alain", "Jean-Pierre", "Daniel", "Yves", "Jacques",
		"Claude", "René", "Serge", "Patrick", "André", "Joël", "Ahmed", "Manuel", "Jean-Claude",
		"Roland", "Guy", "Gilbert",
	}
)

// relation is a pick-up person's link to the child, as parents write it on the form.
type relation struct {
	label  string
	woman  bool
	family bool
}

// Pick-up relations.
var (
	// relatives have the family's surname half of the time (grand-parents, aunts…).
	relatives = []relation{
		{"Grand-mère", true, true}, {"Grand-père", false, true}, {"Tante", true, true},
		{"Oncle", false, true}, {"Marraine", true, false}, {"Parrain", false, false},
	}
	others = []relation{
		{"Voisine", true, false}, {"Voisin", false, false},
		{"Amie de la famille", true, false}, {"Ami de la famille", false, false},
	}
)

// Health notes as families write them (PAI: projet d'accueil individualisé, agreed with the
// school doctor). The director of the child's hub must read them before the day.
var healthNotes = []string{
	"Allergie sévère à l'arachide : PAI, trousse d'urgence avec stylo d'adrénaline dans le cartable.",
	"Asthme : PAI, Ventoline dans le sac, 2 bouffées en cas de gêne respiratoire.",
	"Diabète de type 1 : PAI, lecteur de glycémie, collation à 10 h et à 16 h.",
	"Allergie aux protéines de lait de vache : pas de produits laitiers, repas fourni par la famille.",
	"Maladie cœliaque : régime strict sans gluten, panier-repas fourni.",
	"Épilepsie : PAI, protocole de crise et traitement d'urgence dans le sac.",
	"Allergie aux piqûres de guêpe et d'abeille : PAI, stylo d'adrénaline.",
	"Eczéma atopique : crème à appliquer après le repas si démangeaisons.",
	"Allergie aux fruits à coque (noix, noisettes, amandes) : PAI.",
	"Allergie à l'œuf : pas d'œuf ni de pâtisseries maison.",
	"Porte des lunettes en permanence ; ne voit pas de loin sans elles.",
	"Appareil auditif : vérifier qu'il est allumé le matin, piles de rechange dans le cartable.",
	"TDAH : a besoin de pouvoir bouger et de consignes courtes.",
	"Drépanocytose : boire régulièrement, éviter le froid et les efforts intenses ; PAI.",
	"Asthme d'effort : pas de course prolongée, Ventoline avant le sport.",
	"Allergie à la pénicilline (à signaler en cas de soins).",
}

// School patrons: names of people and places given to French schools, hyphenated as on their
// pediments. Many are Franc-Comtois: Victor Hugo, Louis Pergaud, Gustave Courbet, Charles Nodier,
// the Lumière brothers, Pasteur, Rouget de Lisle, Marcel Aymé, Xavier Bichat, Claude-Nicolas
// Ledoux, Edgar Faure, Jules Grévy, Tristan Bernard.
var (
	schoolPersons = []string{
		"Jules-Ferry", "Victor-Hugo", "Louis-Pasteur", "Jean-Jaurès", "Jean-Moulin", "Marie-Curie",
		"Paul-Bert", "Jacques-Prévert", "Antoine-de-Saint-Exupéry", "Jean-de-La-Fontaine",
		"Louise-Michel", "Simone-Veil", "Pierre-et-Marie-Curie", "Condorcet", "Louis-Pergaud",
		"Gustave-Courbet", "Auguste-et-Louis-Lumière", "Charles-Nodier", "Xavier-Bichat",
		"Rouget-de-Lisle", "Marcel-Aymé", "Claude-Nicolas-Ledoux", "Lucie-Aubrac",
		"Germaine-Tillion", "Anne-Frank", "Jean-Zay", "Albert-Camus", "Jules-Verne",
		"Georges-Brassens", "Jean-Macé", "Émile-Zola", "Françoise-Dolto", "Jules-Grévy",
		"Lamartine", "Voltaire", "Paul-Éluard", "Louis-Aragon", "Olympe-de-Gouges",
		"Camille-Claudel", "Joséphine-Baker", "Tristan-Bernard", "Colette", "Jean-Rostand",
		"Robert-Desnos", "Arthur-Rimbaud", "Pablo-Picasso", "Édouard-Herriot", "Jean-Giono",
		"George-Sand", "Alphonse-Daudet", "Henri-Fertet", "Edgar-Faure", "Pierre-Vernotte",
		"Rosa-Parks", "Nelson-Mandela", "Gisèle-Halimi", "Marcel-Pagnol", "René-Cassin",
	}
	// schoolPlaces are used as "École maternelle Les Tilleuls", "École élémentaire du Centre".
	schoolPlaces = []string{
		"Les Tilleuls", "Les Acacias", "Les Cerisiers", "Les Marronniers", "Les Lilas",
		"Le Petit Prince", "Les Vergers", "Les Chênes", "Les Hirondelles", "Les Coquelicots",
		"Les Écureuils", "Les Prés", "Les Champs-Fleuris", "La Fontaine", "Les Peupliers",
		"Les Saules", "La Roseraie", "Les Sapins", "Les Mésanges", "du Centre", "du Bourg",
		"du Stade", "de la Gare", "du Château", "des Vignes", "du Parc", "du Mont", "des Prés-Hauts",
		"des Tilleuls", "de la Source", "du Plateau", "des Bruyères", "du Bois-Joli", "de l'Église",
	}
	// collegeOnly are patrons seen mostly on collèges.
	collegeOnly = []string{
		"Pasteur", "Victor-Hugo", "Lumière", "Louis-Pergaud", "Jean-Jaurès", "Jules-Haag",
		"Stendhal", "Diderot", "Lucien-Febvre", "Albert-Camus", "Simone-Signoret",
		"Jacques-Prévert", "Jean-Rostand", "Xavier-Bichat", "Marcel-Aymé", "Mont-Roland",
		"Rouget-de-Lisle", "Edgar-Faure", "Gustave-Courbet", "Pierre-Mendès-France", "Camille-Claudel",
		"Jules-Grévy", "Claude-Nicolas-Ledoux", "Jean-Macé", "Lou-Blazer", "Victor-Schœlcher",
	}
)

// Streets for addresses of hubs and homes; "rue", "avenue"… is chosen with the name.
var streets = []string{
	"rue de l'École", "place de la Mairie", "avenue Jean-Jaurès", "rue du Stade", "rue de la Gare",
	"rue des Lilas", "rue Victor-Hugo", "rue du Général-de-Gaulle", "Grande Rue", "rue de l'Église",
	"chemin des Vignes", "rue des Tilleuls", "rue de la Fontaine", "rue Pasteur", "rue du Moulin",
	"rue des Jardins", "impasse des Acacias", "allée des Cerisiers", "rue de Besançon",
	"rue du Lavoir", "rue des Écoles", "boulevard Carnot", "rue de la République",
	"avenue de la Libération", "rue du 8-Mai-1945", "rue Louis-Pergaud", "rue Charles-Nodier",
	"rue des Prés", "rue du Château", "chemin de la Côte", "rue des Champs", "place du Marché",
	"rue Pierre-Vernotte", "rue du Doubs", "rue de la Source", "rue d'Alsace", "rue des Chênes",
	"allée des Mésanges", "rue du Clos", "rue de la Forêt", "rue des Vergers", "rue du Four",
	"rue de la Chapelle", "chemin du Bois", "rue de l'Industrie", "avenue de Lattre-de-Tassigny",
}

// Names of care homes and institutions, with an article when they start with one.
var (
	ehpadNames = []string{
		"Les Vignes", "Les Tilleuls", "Le Jardin des Sens", "Les Lilas", "La Roselière",
		"Résidence du Parc", "Les Cèdres", "La Source", "Les Églantines", "Le Clos du Verger",
		"Les Jonquilles", "La Combe", "Les Primevères", "Le Bois Joli",
	}
	handicapNames = []string{
		"IME Les Érables", "ESAT Les Ateliers du Val", "MAS Les Coquelicots",
		"Foyer d'accueil médicalisé Le Chalet", "IME L'Envol", "SESSAD Les Lucioles",
		"Foyer de vie Les Hirondelles",
	}
	crecheNames = []string{
		"Les Petits Loups", "Les P'tits Mômes", "Pirouette", "Les Lutins", "Graine d'éveil",
		"La Maison des Doudous", "Les Bambins", "Les Marmousets", "Les Galopins",
	}
	pharmacyNames = []string{
		"Pharmacie du Centre", "Pharmacie de la Mairie", "Pharmacie de la Gare",
		"Pharmacie des Tilleuls", "Grande Pharmacie", "Pharmacie du Marché", "Pharmacie du Parc",
	}
)
