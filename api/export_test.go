package api

// ErrorTexts are the messages of the error table and of Fiber's own errors, French then
// English, for the test that an English page shows no French.
func ErrorTexts() [][2]string {
	out := [][2]string{{internalFR, internalEN}}
	for _, k := range errorKinds {
		out = append(out, [2]string{k.fr, k.en})
	}
	for _, m := range fiberMessages {
		out = append(out, m)
	}
	return out
}
