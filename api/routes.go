package api

import (
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/gofiber/fiber/v2/middleware/recover"

	"github.com/accueil-prioritaire/accueil/store"
)

// routes is the one list of what the service answers.
func (s *Server) routes(app *fiber.App) {
	app.Use(s.realClientAddress, requestID, s.securityHeaders, s.accessLog)
	app.Use(recover.New(recover.Config{EnableStackTrace: true, StackTraceHandler: s.logPanic}))
	app.Use(compressLarge())

	app.Get("/livez", s.livez)
	app.Get("/readyz", s.readyz)
	app.Get("/metrics", s.metricsPage())
	app.Use(s.views.AssetBase(), filesystem.New(filesystem.Config{
		Root:   http.FS(s.views.Static()),
		MaxAge: int((365 * 24 * time.Hour).Seconds()),
	}))

	// The waiting room's page and poll are answered from memory: no session, no query.
	app.Get("/salle-attente", s.waitingRoomPage)
	app.Get("/salle-attente/etat", s.waitingRoomState)

	// Booking submissions are counted and bounded from their arrival (admitBookings).
	app.Use(s.requestDeadline, s.admitBookings, s.waitingRoomGate, s.loadSession, s.checkCSRF)
	app.Use("/api", s.limited(limitAPI, sessionAccount))

	app.Get("/", s.home)
	app.Get("/langue", s.switchLanguage)
	app.Get("/donnees-personnelles", s.privacyNotice)

	app.Get("/connexion", s.loginPage)
	app.Post("/connexion", s.limited(limitLogin, loginPair), s.login)
	app.Post("/deconnexion", s.logout)
	app.Get("/inscription", s.signupPage)
	app.Post("/inscription", s.limited(limitSignup, formEmail), s.signup)
	app.Get("/confirmer", s.confirmEmail)
	app.Get("/mot-de-passe-oublie", s.forgotPage)
	resetLimit := s.limited(limitReset, formEmail)
	app.Post("/mot-de-passe-oublie", resetLimit, s.forgot)
	app.Get("/reinitialiser", s.resetPage)
	app.Post("/reinitialiser", resetLimit, s.reset)
	app.Get("/dev/emails", s.devEmails)

	anyone := requireRole(store.RoleParent, store.RoleDirector, store.RolePrefecture, store.RoleRectorat, store.RoleAdmin)
	app.Get("/sessions", anyone, s.sessionsPage)
	app.Post("/sessions/autres/terminer", anyone, s.endOtherSessions)
	app.Post("/sessions/:id/terminer", anyone, s.endSession)

	parent := requireRole(store.RoleParent)
	app.Get("/foyer", parent, s.householdForm)
	app.Post("/foyer", parent, s.saveHousehold)
	app.Get("/enfants/nouveau", parent, s.newChildForm)
	app.Post("/enfants", parent, s.createChild)
	app.Get("/enfants/:id", parent, s.editChildForm)
	app.Post("/enfants/:id", parent, s.updateChild)
	app.Post("/enfants/:id/supprimer", parent, s.deleteChild)
	app.Post("/confirmer/renvoyer", parent, s.resendConfirmation)
	app.Get("/reserver", parent, s.bookingForm)
	bookingLimit := s.limited(limitBooking, sessionAccount)
	app.Post("/reserver", parent, bookingLimit, s.submitBooking)
	app.Get("/reservations", parent, s.myBookings)
	app.Get("/mes-donnees", parent, s.myData)
	app.Post("/mes-donnees/effacer", parent, s.eraseAccount)
	app.Post("/reservations/annuler", parent, s.cancelBooking)
	app.Post("/api/bookings", parent, bookingLimit, s.createBooking)
	app.Get("/api/communes", anyone, s.searchCommunes)

	staff := requireRole(store.RoleDirector, store.RolePrefecture, store.RoleRectorat, store.RoleAdmin)
	app.Get("/poles/import", requireRole(store.RolePrefecture, store.RoleRectorat, store.RoleAdmin), s.importPage)
	app.Post("/poles/import", requireRole(store.RolePrefecture, store.RoleRectorat, store.RoleAdmin), s.longRequest, s.importHubs)
	app.Get("/poles/:id", staff, s.hubPage)
	app.Get("/poles/:id/feuille", staff, s.hubSheet)
	app.Get("/poles/:id/appel", staff, s.checkinPage)
	app.Get("/contacts", staff, s.contactList)
	oversight := requireRole(store.RolePrefecture, store.RoleRectorat, store.RoleAdmin)
	app.Get("/occupation", oversight, s.occupancy)
	app.Get("/occupation/semaine", oversight, s.occupancyWeek)
	app.Get("/api/occupation", oversight, s.occupancyTotalsJSON)
	app.Get("/carte", oversight, s.mapPage)
	app.Get("/tendances", oversight, s.trends)
	app.Get("/simulation", oversight, s.longRequest, s.whatIf)
	app.Get("/api/carte", oversight, s.mapData)
	app.Get("/api/departements.geojson", oversight, s.departementOutlines)
	app.Post("/poles/:id/appel", staff, s.recordMark)
	app.Post("/poles/:id/accueillir", staff, s.takeIn)
	levers := requireRole(leverRoles...) // not directors
	app.Get("/poles/:id/capacite", levers, s.setCapacity)
	app.Post("/poles/:id/capacite", levers, s.setCapacity)
	app.Get("/poles/:id/fermer", levers, s.closeHub)
	app.Post("/poles/:id/fermer", levers, s.closeHub)
	app.Get("/poles/:id/rouvrir", levers, s.reopenHub)
	app.Post("/poles/:id/rouvrir", levers, s.reopenHub)
	app.Get("/feuilles/:day", requireRole(store.RolePrefecture, store.RoleRectorat, store.RoleAdmin), s.longRequest, s.daySheets)

	academie := requireRole(store.RoleRectorat, store.RoleAdmin)
	app.Post("/api/allocation-runs", academie, s.longRequest, s.createAllocationRun)
	app.Get("/attribution", academie, s.allocationPage)
	app.Post("/attribution", academie, s.longRequest, s.runAllocationForm)
	app.Get("/api/allocation-runs/:id", academie, s.getAllocationRun)
	app.Get("/journal", requireRole(store.RoleAdmin), s.auditLog)
	app.Get("/admin/salle-attente", requireRole(store.RoleAdmin), s.waitingRoomAdmin)
	app.Post("/admin/salle-attente", requireRole(store.RoleAdmin), s.setWaitingRoom)
	app.Get("/courriels", requireRole(store.RoleAdmin), s.outboxPage)
	// Staff accounts: the store narrows the rectorat to every account but the admins'.
	app.Get("/admin/agents", academie, s.staffList)
	app.Get("/admin/agents/nouveau", academie, s.newStaffForm)
	app.Post("/admin/agents", academie, s.createStaff)
	app.Get("/admin/agents/import", academie, s.directorsImportPage)
	app.Post("/admin/agents/import", academie, s.longRequest, s.importDirectors)
	app.Get("/admin/agents/:id", academie, s.staffPage)
	app.Post("/admin/agents/:id/inviter", academie, s.reinviteStaff)
	app.Get("/admin/agents/:id/desactiver", academie, s.disableStaff)
	app.Post("/admin/agents/:id/desactiver", academie, s.disableStaff)
	app.Post("/admin/agents/:id/reactiver", academie, s.enableStaff)
	app.Post("/admin/agents/:id/poles", academie, s.assignHub)
	app.Post("/admin/agents/:id/poles/:hub/retirer", academie, s.unassignHub)

	app.Use(s.notFound)
}
