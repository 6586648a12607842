package store

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// namedSQL is a statement written with named parameters (:name), numbered $1, $2… once, when
// the program starts, in the order they first appear; a name used twice is one parameter. The
// big statements of the booking path take thirty arrays: numbered by hand, inserting one means
// renumbering the rest and the arguments' list, and a slip binds one array to another's column.
// Casts (::type), string literals and -- comments are left as they are.
type namedSQL struct {
	text  string   // with $n
	names []string // the name of $1, $2…
}

// named numbers the parameters of query. It panics on a name it cannot read: the queries are
// constants of the program.
func named(query string) namedSQL {
	var out strings.Builder
	var names []string
	number := map[string]int{}
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'': // a string literal, such as 'HH24:MI', up to its closing quote
			j := strings.IndexByte(query[i+1:], '\'')
			if j < 0 {
				panic("named: unterminated string literal in " + query)
			}
			out.WriteString(query[i : i+j+2])
			i += j + 1
		case c == '-' && strings.HasPrefix(query[i:], "--"): // a comment, to the end of the line
			j := strings.IndexByte(query[i:], '\n')
			if j < 0 {
				j = len(query) - i
			}
			out.WriteString(query[i : i+j])
			i += j - 1
		case c == ':' && strings.HasPrefix(query[i:], "::"):
			out.WriteString("::")
			i++
		case c == ':':
			j := i + 1
			for j < len(query) && (query[j] == '_' || 'a' <= query[j] && query[j] <= 'z' || j > i+1 && '0' <= query[j] && query[j] <= '9') {
				j++
			}
			if j == i+1 {
				panic(fmt.Sprintf("named: a colon without a name at %d in %s", i, query))
			}
			name := query[i+1 : j]
			n, ok := number[name]
			if !ok {
				names = append(names, name)
				n = len(names)
				number[name] = n
			}
			out.WriteString("$" + strconv.Itoa(n))
			i = j - 1
		default:
			out.WriteByte(c)
		}
	}
	return namedSQL{text: out.String(), names: names}
}

// args are values in the order of the statement's parameters. A parameter without a value is
// an error, and so is a value the statement does not take (a misspelt name).
func (q namedSQL) args(values map[string]any) ([]any, error) {
	for name := range values {
		if !slices.Contains(q.names, name) {
			return nil, fmt.Errorf("named: the statement takes no parameter %q", name)
		}
	}
	out := make([]any, len(q.names))
	for i, name := range q.names {
		v, ok := values[name]
		if !ok {
			return nil, fmt.Errorf("named: no value for parameter %q", name)
		}
		out[i] = v
	}
	return out, nil
}
