package alloc

import (
	"bytes"
	"context"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
)

func TestExampleProblemFile(t *testing.T) {
	f, err := os.Open("testdata/example-problem.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := ReadProblem(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Hubs) != 5 || len(p.Requests) != 12 || len(p.Fixed) != 2 || p.Params.Seed != 2021 {
		t.Fatalf("read %d hubs, %d requests, %d fixed, seed %d", len(p.Hubs), len(p.Requests), len(p.Fixed), p.Params.Seed)
	}
	r := solve(t, p)
	if r.Report.ChildDaysRequested != 49 || r.Report.ChildDaysPlaced+r.Report.ChildDaysWaitlist != 49 {
		t.Errorf("report %+v", r.Report)
	}
	// Child 9 lives in Morteau: no hub within 20 km hosts collégiens.
	if reasonOf(r, 9, "2021-04-12") != ReasonNoHubInReach {
		t.Errorf("child 9: %q", reasonOf(r, 9, "2021-04-12"))
	}

	// Writing the problem back and reading it again gives the same problem.
	var buf bytes.Buffer
	if err := WriteProblem(&buf, p); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"lat": 47.2431`) {
		t.Errorf("positions should be written as lat/lon:\n%.400s", buf.String())
	}
	again, err := ReadProblem(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again, p) {
		t.Errorf("problem changed on a round trip")
	}
}

func TestResultFileRoundTrip(t *testing.T) {
	f, _ := os.Open("testdata/example-problem.json")
	defer f.Close()
	p, err := ReadProblem(f)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Solve(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteResult(&buf, r); err != nil {
		t.Fatal(err)
	}
	back, err := ReadResult(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, r) {
		t.Errorf("result changed on a round trip")
	}
	if vs, err := Check(p, back); err != nil || len(vs) > 0 {
		t.Errorf("the result read back fails Check: %v %v", err, vs)
	}
}

func TestReadProblemNamesTheBadField(t *testing.T) {
	valid := `{"hubs": [{"id": 1, "location": {"lat": 47.2, "lon": 6.0},
	             "days": [{"day": "2021-04-12", "seats": {"maternelle": 10}}]}],
	  "requests": [{"child_id": 7, "household_id": 3, "level": "maternelle", "days": ["2021-04-12"],
	                "location": {"lat": 47.21, "lon": 6.01}, "tier": 1}],
	  "fixed": [{"child_id": 7, "day": "2021-04-12", "hub_id": 1}]}`
	if _, err := ReadProblem(strings.NewReader(valid)); err != nil {
		t.Fatalf("valid problem: %v", err)
	}
	cases := []struct{ from, to, want string }{
		{`"seats": {"maternelle": 10}`, `"seats": {"maternelle": -2}`, "hubs[0].days[0].seats.maternelle : capacité négative"},
		{`"seats": {"maternelle": 10}`, `"seats": {"lycee": 10}`, `hubs[0].days[0].seats : niveau "lycee" inconnu`},
		{`"level": "maternelle"`, `"level": "creche"`, `requests[0].level : niveau "creche" inconnu`},
		{`"hub_id": 1}`, `"hub_id": 99}`, "fixed[0].hub_id : pôle 99 inconnu"},
		{`"child_id": 7, "day"`, `"child_id": 8, "day"`, "fixed[0].child_id : enfant 8 inconnu"},
		{`"days": ["2021-04-12"]`, `"days": ["2021-04-31"]`, `requests[0].days[0] : date "2021-04-31" invalide`},
		{`"days": ["2021-04-12"]`, `"days": []`, "requests[0].days : aucun jour demandé"},
		{`"tier": 1`, `"tier": 0`, "requests[0].tier"},
		{`"id": 1,`, `"id": 0,`, "hubs[0].id"},
		{`"location": {"lat": 47.21, "lon": 6.01}`, `"location": {}`, "requests[0].location : position manquante"},
		{`"tier": 1`, `"tier": 1, "colour": "red"`, `champ "colour" inconnu`},
		{`"tier": 1`, `"tier": "one"`, "requests.tier (ligne 4"},
		{`"seats": {"maternelle": 10}`, `"seats": {"maternelle": 0}`, "fixed[0].hub_id : le pôle 1 n'accueille pas le niveau maternelle"},
		{`"fixed": [`, `"params": {"max_distance_km": -1}, "fixed": [`, "params.max_distance_km"},
		{`}]}`, `}]`, "JSON invalide"},
	}
	for _, c := range cases {
		if !strings.Contains(valid, c.from) {
			t.Fatalf("bad case: %q not in the valid problem", c.from)
		}
		_, err := ReadProblem(strings.NewReader(strings.Replace(valid, c.from, c.to, 1)))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s → %s: got %v, want %q", c.from, c.to, err, c.want)
		}
	}
}

func TestValidateReportsEveryBadField(t *testing.T) {
	p := Problem{
		Hubs: []Hub{hub(1, km(0, 0), 1), hub(1, km(0, 0), 1)},
		Requests: []Request{
			{ChildID: 1, HouseholdID: 1, Level: Elementaire, Days: []Day{monday}, Location: km(0, 0), Tier: 1},
			{ChildID: 1, HouseholdID: 2, Level: Maternelle, Days: []Day{monday}, Location: km(0, 0), Tier: 1, AllowSplit: true},
			{ChildID: 2, HouseholdID: 2, Level: Maternelle, Days: []Day{monday}, Location: km(0, 0), Tier: 1},
		},
		Fixed: []FixedPlacement{{ChildID: 2, Day: monday, HubID: 1}, {ChildID: 2, Day: monday, HubID: 1}},
	}
	err := p.Validate()
	var fe *FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("got %v", err)
	}
	for _, want := range []string{
		"hubs[1].id : identifiant 1 déjà utilisé par hubs[0]",
		"requests[1].household_id",
		"requests[1].level",
		"requests[1].days[0] : jour 2021-04-12 déjà demandé",
		"requests[2].allow_split",
		"fixed[1] : enfant 2 déjà placé",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
	if _, err := Solve(context.Background(), p); err == nil {
		t.Error("Solve accepted an invalid problem")
	}
}

func TestDays(t *testing.T) {
	if _, err := ParseDay("2021-02-29"); err == nil {
		t.Error("2021-02-29 does not exist")
	}
	d, err := ParseDay("2021-04-12")
	if err != nil {
		t.Fatal(err)
	}
	tm, _ := d.Time()
	if DayOf(tm) != d || tm.Weekday().String() != "Monday" {
		t.Errorf("%v %v", tm, DayOf(tm))
	}
	if RandomSeed() >= 1<<53 {
		t.Error("seeds must fit in a JavaScript number")
	}
}
