package api

import (
	"net/url"
	"strconv"
)

// pagination is a list's current page and the links around it, drawn by the DSFR pagination
// component (frontend/templates/_pagination.html). Links keep the list's other query
// parameters, so that the filters hold from page to page.
type pagination struct {
	Page, Pages int
	First, Last int // 1-based positions of the rows shown, 0 when there are none
	Total       int
	Prev, Next  string
	Links       []pageLink
}

type pageLink struct {
	Number  int
	Href    string
	Current bool
	Gap     bool // an ellipsis between two links
}

// paginate cuts total rows into pages of size and returns the page asked for (clamped to the
// existing ones) with its links; query is the list's query, whose "page" it replaces.
func paginate(path string, query url.Values, total, size, page int) pagination {
	pages := max(1, (total+size-1)/size)
	page = min(max(page, 1), pages)
	href := func(n int) string {
		q := url.Values{}
		for k, v := range query {
			q[k] = v
		}
		q.Del("page")
		if n > 1 {
			q.Set("page", strconv.Itoa(n))
		}
		if len(q) == 0 {
			return path
		}
		return path + "?" + q.Encode()
	}
	p := pagination{Page: page, Pages: pages, Total: total}
	if total > 0 {
		p.First, p.Last = (page-1)*size+1, min(page*size, total)
	}
	if page > 1 {
		p.Prev = href(page - 1)
	}
	if page < pages {
		p.Next = href(page + 1)
	}
	// The first and last pages, and two on each side of the current one.
	prev := 0
	for n := 1; n <= pages; n++ {
		if n != 1 && n != pages && (n < page-2 || n > page+2) {
			continue
		}
		if prev != 0 && n > prev+1 {
			p.Links = append(p.Links, pageLink{Gap: true})
		}
		p.Links = append(p.Links, pageLink{Number: n, Href: href(n), Current: n == page})
		prev = n
	}
	return p
}
