package alloc

import (
	"slices"
	"testing"
)

// The lists appendAmong returns are the network's kids' candidates until the network is dropped:
// neither a later call, even one that needs a new chunk, nor an append to one list may change
// another.
func TestAppendAmongKeepsEarlierLists(t *testing.T) {
	cands := []cand{{hub: 7, distM: 100}, {hub: 2, distM: 200}, {hub: 9, distM: 300}, {hub: 4, distM: 400}}
	var arena []cand
	first := appendAmong(&arena, cands, []int32{2, 4, 5})
	if want := []cand{{hub: 2, distM: 200}, {hub: 4, distM: 400}}; !slices.Equal(first, want) {
		t.Fatalf("first list %v, want %v: the candidates among the hubs, in their order", first, want)
	}
	second := appendAmong(&arena, cands, []int32{9})
	_ = append(first, cand{hub: 99, distM: 1})
	if want := []cand{{hub: 9, distM: 300}}; !slices.Equal(second, want) {
		t.Fatalf("second list %v, want %v: an append to the first list wrote into it", second, want)
	}
	all := make([]int32, cap(arena)-len(arena)+1) // more than the chunk has left
	for i := range all {
		all[i] = int32(i)
	}
	if third := appendAmong(&arena, cands, all); !slices.Equal(third, cands) {
		t.Fatalf("third list %v, want every candidate %v", third, cands)
	}
	if !slices.Equal(first, []cand{{hub: 2, distM: 200}, {hub: 4, distM: 400}}) || !slices.Equal(second, []cand{{hub: 9, distM: 300}}) {
		t.Fatalf("earlier lists changed by a later call: %v, %v", first, second)
	}
}
