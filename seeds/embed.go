// Package seeds ships the plan's full text and its clause index in the binary.
package seeds

import _ "embed"

// PlanFile is the name of the plan text in this folder.
const PlanFile = "liaoning-2012-revitalization-plan.zh.txt"

// PlanText is the full Chinese text of the 2012 work plan.
//
//go:embed liaoning-2012-revitalization-plan.zh.txt
var PlanText string

// ClauseIndex is clauses.json, generated from PlanText by `planmap clauses`.
//
//go:embed clauses.json
var ClauseIndex string
