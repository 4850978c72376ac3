package postgis

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/planmap/planmap/internal/domain"
)

// PlanService reads the plan's clauses and vocabularies.
type PlanService struct{ db *DB }

// NewPlanService returns a PlanService on db.
func NewPlanService(db *DB) *PlanService { return &PlanService{db: db} }

var _ domain.PlanService = (*PlanService)(nil)

// Clauses returns every numbered item of the plan, in order.
func (s *PlanService) Clauses(ctx context.Context) ([]domain.Clause, error) {
	rows, err := s.db.reader(ctx).Query(ctx, `SELECT section, item, text FROM plan_clause ORDER BY section, item`)
	if err != nil {
		return nil, mapError(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[domain.Clause])
	return out, mapError(err)
}

// Vocabularies returns the status, category and precision vocabularies.
func (s *PlanService) Vocabularies(ctx context.Context) (*domain.Vocabularies, error) {
	v := &domain.Vocabularies{}
	for _, q := range []struct {
		sql  string
		dest *[]domain.Term
	}{
		{`SELECT code, label_zh, label_en, description_zh, description_en, '' FROM project_status ORDER BY ordinal`, &v.Statuses},
		{`SELECT code, label_zh, label_en, '', '', symbol FROM project_category ORDER BY code`, &v.Categories},
		{`SELECT code, label_zh, label_en, '', '', '' FROM precision_term ORDER BY ordinal`, &v.Precisions},
	} {
		rows, err := s.db.reader(ctx).Query(ctx, q.sql)
		if err != nil {
			return nil, mapError(err)
		}
		terms, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Term, error) {
			var t domain.Term
			err := r.Scan(&t.Code, &t.LabelZH, &t.LabelEN, &t.DescriptionZH, &t.DescriptionEN, &t.Symbol)
			return t, err
		})
		if err != nil {
			return nil, mapError(err)
		}
		*q.dest = terms
	}
	return v, nil
}

// Programmes returns every programme with its count target, the members
// recorded so far and how many of those have a place on the map.
func (s *PlanService) Programmes(ctx context.Context) ([]domain.Programme, error) {
	rows, err := s.db.reader(ctx).Query(ctx, `
SELECT p.id, p.name_zh, p.name_en, p.section, p.item, p.category, p.count_target,
       count(m.id), count(m.geom)
FROM project p LEFT JOIN project m ON m.programme = p.id
WHERE p.count_target IS NOT NULL
GROUP BY p.id ORDER BY p.section, p.item, p.id`)
	if err != nil {
		return nil, mapError(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[domain.Programme])
	return out, mapError(err)
}
