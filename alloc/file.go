package alloc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ReadProblem decodes a problem file (see the package documentation) and validates it. Unknown
// fields are errors, so that a misspelt field is not silently ignored. Errors name the field or
// the line and column.
func ReadProblem(r io.Reader) (Problem, error) {
	var p Problem
	if err := decodeStrict(r, &p); err != nil {
		return Problem{}, err
	}
	if err := p.Validate(); err != nil {
		return Problem{}, err
	}
	return p, nil
}

// WriteProblem writes p as an indented problem file, with its format set.
func WriteProblem(w io.Writer, p Problem) error {
	p.Format = ProblemFormat
	return encodeIndented(w, p)
}

// ReadResult decodes a result file.
func ReadResult(r io.Reader) (Result, error) {
	var res Result
	if err := decodeStrict(r, &res); err != nil {
		return Result{}, err
	}
	if res.Format != ResultFormat {
		return Result{}, fmt.Errorf("format : %q inconnu, attendu %q (unknown format)", res.Format, ResultFormat)
	}
	return res, nil
}

// WriteResult writes r as an indented result file.
func WriteResult(w io.Writer, r Result) error {
	r.Format = ResultFormat
	return encodeIndented(w, r)
}

func decodeStrict(r io.Reader, v any) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			line, col := position(data, syn.Offset)
			return fmt.Errorf("ligne %d, colonne %d : JSON invalide (invalid JSON): %w", line, col, err)
		case errors.As(err, &typ):
			line, col := position(data, typ.Offset)
			return fmt.Errorf("%s (ligne %d, colonne %d) : valeur de type %s, attendu %s (wrong type): %w",
				typ.Field, line, col, typ.Value, typ.Type, err)
		}
		if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			return fmt.Errorf("champ %s inconnu (unknown field %s)", field, field)
		}
		return fmt.Errorf("fichier illisible (unreadable file): %w", err)
	}
	if dec.More() {
		return errors.New("données en trop après l'objet JSON (trailing data after the JSON object)")
	}
	return nil
}

// position converts a byte offset into a 1-based line and column.
func position(data []byte, offset int64) (line, col int) {
	offset = min(max(offset, 0), int64(len(data)))
	before := data[:offset]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(offset) - bytes.LastIndexByte(before, '\n')
	return line, col
}

func encodeIndented(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// point is geo.Point as the files spell it. geo.Point has no JSON tags: decoding accepts "lat"
// and "lon" because encoding/json matches names case-insensitively; encoding needs this type.
type point struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// MarshalJSON writes the location as {"lat": …, "lon": …}.
func (h Hub) MarshalJSON() ([]byte, error) {
	type plain Hub // drops the method, so no recursion
	return json.Marshal(struct {
		plain
		Location point `json:"location"` // shadows plain.Location
	}{plain(h), point(h.Location)})
}

// MarshalJSON writes the location as {"lat": …, "lon": …}.
func (r Request) MarshalJSON() ([]byte, error) {
	type plain Request
	return json.Marshal(struct {
		plain
		Location point `json:"location"`
	}{plain(r), point(r.Location)})
}
