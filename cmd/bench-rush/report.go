package main

import (
	"fmt"
	"io"
	"text/tabwriter"
)

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func orExample(s string) string {
	if s == "" {
		return ""
	}
	return "; e.g. " + s
}

// report is the table of figures printed at the end.
type report struct {
	w      io.Writer
	rows   [][5]string
	failed int
}

type outcome int

const (
	none outcome = iota
	pass
	fail
)

func verdict(ok bool) outcome {
	if ok {
		return pass
	}
	return fail
}

func (r *report) add(phase, figure, value, target string, o outcome) {
	v := map[outcome]string{none: "", pass: "PASS", fail: "FAIL"}[o]
	if o == fail {
		r.failed++
	}
	r.rows = append(r.rows, [5]string{phase, figure, value, target, v})
	fmt.Fprintf(r.w, "%s | %s: %s %s\n", phase, figure, value, v)
}

func (r *report) print() {
	fmt.Fprintln(r.w)
	tw := tabwriter.NewWriter(r.w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "phase\tfigure\tvalue\ttarget\t")
	for _, row := range r.rows {
		value := []rune(row[2])
		if len(value) > 110 { // the whole of it is in the line printed as it came
			value = append(value[:109], '…')
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", row[0], row[1], string(value), row[3], row[4])
	}
	tw.Flush()
}
