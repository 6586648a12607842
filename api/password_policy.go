package api

import (
	"strings"
	"unicode/utf8"

	"github.com/accueil-prioritaire/accueil/frontend"
)

// commonPasswords are passwords of 12 characters or more that appear near the top of public
// leak lists, in French and English; they are refused whatever their length.
var commonPasswords = map[string]bool{}

func init() {
	for _, p := range strings.Fields(`
		123456789012 1234567890123 12345678901234 123456123456 111111111111 000000000000
		azertyuiopqs azertyuiop12 azertyuiop123 azertyazerty qwertyuiop12 qwertyuiop123 qwertyqwerty
		motdepasse12 motdepasse123 motdepasse1234 motdepassemotdepasse password1234 password12345
		password123456 passwordpassword iloveyou1234 jetaime123456 jetaimejetaime soleil123456
		doudou123456 marseille1234 bonjour12345 bonjourbonjour administrateur changeme1234
		welcome12345 letmein12345 football1234 princesse123 chouchou1234 1q2w3e4r5t6y
		1qaz2wsx3edc qazwsxedcrfv aaaaaaaaaaaa abcdefghijkl abcdef123456 accueilprioritaire
		`) {
		commonPasswords[p] = true
	}
}

// passwordProblem returns why a new password is refused, or "" when it is acceptable: 12 to 128
// characters, not a common password, not the e-mail address, not one character repeated.
func passwordProblem(lang frontend.Lang, password, email string) string {
	msg := func(fr, en string) string { return frontend.Pick(lang, fr, en) }
	n := utf8.RuneCountInString(password)
	switch {
	case n < 12:
		return msg("Choisissez un mot de passe d’au moins 12 caractères.", "Choose a password of at least 12 characters.")
	case n > 128:
		return msg("Choisissez un mot de passe d’au plus 128 caractères.", "Choose a password of at most 128 characters.")
	}
	lower := strings.ToLower(password)
	local, _, _ := strings.Cut(strings.ToLower(email), "@")
	first, _ := utf8.DecodeRuneInString(password)
	switch {
	case commonPasswords[lower]:
		return msg("Ce mot de passe est trop courant. Choisissez-en un autre.", "This password is too common. Choose another one.")
	case lower == strings.ToLower(email) || (len(local) >= 4 && strings.Contains(lower, local)):
		return msg("Le mot de passe ne doit pas reprendre votre adresse e-mail.", "The password must not contain your e-mail address.")
	case strings.Count(password, string(first)) == n:
		return msg("Ce mot de passe est trop simple. Choisissez-en un autre.", "This password is too simple. Choose another one.")
	}
	return ""
}
