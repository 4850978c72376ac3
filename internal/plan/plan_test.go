package plan_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/planmap/planmap/internal/plan"
	"github.com/planmap/planmap/seeds"
)

func TestParsePlan(t *testing.T) {
	idx, err := plan.Parse(seeds.PlanFile, []byte(seeds.PlanText))
	if err != nil {
		t.Fatal(err)
	}
	if got := len(idx.Sections); got != 13 {
		t.Fatalf("sections = %d, want 13", got)
	}
	// Item counts per section, read off the plan by hand.
	want := []int{3, 5, 5, 4, 8, 4, 5, 4, 5, 4, 2, 4, 2}
	for i, s := range idx.Sections {
		if s.Number != i+1 {
			t.Errorf("section %d numbered %d", i+1, s.Number)
		}
		if len(s.Items) != want[i] {
			t.Errorf("section %d has %d items, want %d", s.Number, len(s.Items), want[i])
		}
		if s.TitleZH == "" || s.TitleEN == "" {
			t.Errorf("section %d lacks a title", s.Number)
		}
		for _, it := range s.Items {
			if !strings.Contains(seeds.PlanText, it.Text) {
				t.Errorf("section %d item %d is not verbatim in the plan", s.Number, it.Item)
			}
		}
	}
	if text, ok := idx.Clause(7, 4); !ok || !strings.Contains(text, "开工建设猴山水库") {
		t.Errorf("clause 7.4 = %q", text)
	}
	if _, ok := idx.Clause(14, 1); ok {
		t.Error("clause 14.1 exists")
	}
}

// The checked-in clause index must be exactly what `planmap clauses` writes.
func TestClauseIndexIsCurrent(t *testing.T) {
	idx, err := plan.Parse(seeds.PlanFile, []byte(seeds.PlanText))
	if err != nil {
		t.Fatal(err)
	}
	got, err := idx.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, []byte(seeds.ClauseIndex)) {
		t.Fatal("seeds/clauses.json is stale: run `go run ./cmd/planmap clauses > seeds/clauses.json`")
	}
	back, err := plan.Unmarshal([]byte(seeds.ClauseIndex))
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Clauses()) != 55 {
		t.Errorf("clauses = %d, want 55", len(back.Clauses()))
	}
}

func TestParseRejectsMalformed(t *testing.T) {
	tests := []struct {
		name, text string
	}{
		{"empty", ""},
		{"item before section", "1.早\n一、甲\n"},
		{"sections out of order", "一、甲\n1.a\n三、丙\n1.b\n"},
		{"items out of order", "一、甲\n1.a\n3.b\n"},
		{"stray line", "一、甲\n1.a\n无编号\n"},
		{"too few sections", "一、甲\n1.a\n二、乙\n1.b\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := plan.Parse("x", []byte(tt.text))
			if !errors.Is(err, plan.ErrMalformed) {
				t.Fatalf("err = %v, want ErrMalformed", err)
			}
		})
	}
}
