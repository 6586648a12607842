package alloc

// matching is a maximum matching of kids to hub seats (a maximum flow without costs), for counting
// how many child-days of one day and level any placement could place. It starts from a placement
// that is already valid and grows it by augmenting paths found breadth first, which costs far less
// than the minimum-cost network: the count is the same whatever the costs.
type matching struct {
	free  []int32   // seats left per hub
	at    [][]int32 // kids at each hub
	kids  []matchKid
	dead  []bool // hubs from which no augmenting path can start again (see network.dead)
	seen  []uint32
	stamp uint32
	via   []int32 // kid through which a search reached each hub
	queue []int32
}

type matchKid struct {
	cands []cand
	hub   int32 // -1 while not matched
	slot  int32 // index in matching.at[hub]
}

// newMatching makes a matching over hubs with the given seats (the slice is owned by the matching).
func newMatching(seats []int32) *matching {
	mt := &matching{
		free: seats,
		at:   make([][]int32, len(seats)),
		dead: make([]bool, len(seats)),
		seen: make([]uint32, len(seats)),
		via:  make([]int32, len(seats)),
	}
	for h, s := range seats {
		mt.dead[h] = s <= 0
	}
	return mt
}

// addKid adds a kid with its candidate hubs, at hub (one of its candidates with a free seat) or
// unmatched when hub is -1, and returns it.
func (mt *matching) addKid(cands []cand, hub int32) int32 {
	k := int32(len(mt.kids))
	mt.kids = append(mt.kids, matchKid{cands: cands, hub: -1, slot: -1})
	if hub >= 0 {
		mt.put(k, hub)
	}
	return k
}

func (mt *matching) put(k, h int32) {
	kd := &mt.kids[k]
	if old := kd.hub; old >= 0 {
		last := mt.at[old][len(mt.at[old])-1]
		mt.at[old][kd.slot] = last
		mt.kids[last].slot = kd.slot
		mt.at[old] = mt.at[old][:len(mt.at[old])-1]
		mt.free[old]++
	}
	kd.hub, kd.slot = h, int32(len(mt.at[h]))
	mt.at[h] = append(mt.at[h], k)
	mt.free[h]--
}

// augment matches the unmatched kid k along a shortest augmenting path, moving matched kids along
// it, and reports whether there was one. A kid that finds none leaves the matching unchanged and
// never finds one later: a failed search reaches only full hubs whose kids can move only to full
// hubs, and an augmenting path entering that closed set could never leave it, so later
// augmentations leave it as it is. Its hubs are marked dead and skipped from then on.
func (mt *matching) augment(k int32) bool {
	mt.stamp++
	if mt.stamp == 0 {
		clear(mt.seen)
		mt.stamp = 1
	}
	queue := mt.queue[:0]
	visit := func(from int32) int32 {
		for _, c := range mt.kids[from].cands {
			h := c.hub
			if mt.dead[h] || mt.seen[h] == mt.stamp {
				continue
			}
			mt.seen[h], mt.via[h] = mt.stamp, from
			if mt.free[h] > 0 {
				return h
			}
			queue = append(queue, h)
		}
		return -1
	}
	end := visit(k)
	for i := 0; end < 0 && i < len(queue); i++ {
		for _, o := range mt.at[queue[i]] {
			if end = visit(o); end >= 0 {
				break
			}
		}
	}
	mt.queue = queue[:0]
	if end < 0 {
		for _, h := range queue {
			mt.dead[h] = true
		}
		return false
	}
	for h := end; ; {
		o := mt.via[h]
		from := mt.kids[o].hub
		mt.put(o, h)
		if o == k {
			return true
		}
		h = from
	}
}
