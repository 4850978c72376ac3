// Package plan parses the text of the 2012 work plan into its sections and
// numbered items, the clause index that every project traces back to.
package plan

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/planmap/planmap/internal/domain"
)

// ErrMalformed reports plan text that does not have the expected structure.
var ErrMalformed = errors.New("plan: malformed text")

// titlesEN are the English titles of the 13 sections, in order.
var titlesEN = [domain.SectionCount]string{
	"Review the results of revitalizing Liaoning's old industrial base and draft policies for the next ten years",
	"Implement the Northeast China 12th Five-Year Revitalization Plan",
	"Complete a modern industrial system and strengthen industrial competitiveness",
	"Transform agricultural development and build modern agriculture",
	"Improve livelihoods and culture so that all share the gains of revitalization",
	"Advance ecological construction and environmental protection for sustainable development",
	"Build major infrastructure and strengthen supporting services",
	"Deepen reform in key fields to strengthen the internal drive of revitalization",
	"Build an all-round new pattern of opening up",
	"Complete the policy support system for sustainable development of resource-based cities",
	"Guide by category and speed up the adjustment and renovation of old industrial bases",
	"Strengthen and innovate social management",
	"Strengthen the coordination and guidance of the revitalization bodies",
}

// Index is the machine-readable clause index of the plan.
type Index struct {
	Source   string    `json:"source"`
	SHA256   string    `json:"sha256"`
	Sections []Section `json:"sections"`
}

// Section is a section of the plan with its verbatim items.
type Section struct {
	domain.Section
	Items []Item `json:"items"`
}

// Item is one numbered item; Text is verbatim, without its number.
type Item struct {
	Item int    `json:"item"`
	Text string `json:"text"`
}

var (
	sectionLine = regexp.MustCompile(`^([一二三四五六七八九十]+)、(.+)$`)
	itemLine    = regexp.MustCompile(`^(\d+)\s*[.、．]\s*(.+)$`)
)

// Parse reads the plan text into an Index. Section headings are lines that
// start with a Chinese numeral and "、"; items are lines that start with an
// Arabic number and ".", "、" or "．". Texts are kept byte for byte.
func Parse(source string, text []byte) (*Index, error) {
	sum := sha256.Sum256(text)
	idx := &Index{Source: source, SHA256: hex.EncodeToString(sum[:])}
	sc := bufio.NewScanner(bytes.NewReader(text))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(s) == "" {
			continue
		}
		if m := sectionLine.FindStringSubmatch(s); m != nil {
			n := chineseNumeral(m[1])
			if n != len(idx.Sections)+1 {
				return nil, fmt.Errorf("%w: line %d: section %q out of order", ErrMalformed, line, m[1])
			}
			if n > domain.SectionCount {
				return nil, fmt.Errorf("%w: line %d: more than %d sections", ErrMalformed, line, domain.SectionCount)
			}
			idx.Sections = append(idx.Sections, Section{Section: domain.Section{Number: n, TitleZH: m[2], TitleEN: titlesEN[n-1]}})
			continue
		}
		if m := itemLine.FindStringSubmatch(s); m != nil {
			if len(idx.Sections) == 0 {
				return nil, fmt.Errorf("%w: line %d: item before the first section", ErrMalformed, line)
			}
			sec := &idx.Sections[len(idx.Sections)-1]
			n, _ := strconv.Atoi(m[1])
			if n != len(sec.Items)+1 {
				return nil, fmt.Errorf("%w: line %d: item %d of section %d out of order", ErrMalformed, line, n, sec.Number)
			}
			sec.Items = append(sec.Items, Item{Item: n, Text: m[2]})
			continue
		}
		// The preamble precedes the first section; any other unnumbered line is unexpected.
		if len(idx.Sections) > 0 {
			return nil, fmt.Errorf("%w: line %d: neither a section heading nor a numbered item", ErrMalformed, line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(idx.Sections) != domain.SectionCount {
		return nil, fmt.Errorf("%w: found %d sections, want %d", ErrMalformed, len(idx.Sections), domain.SectionCount)
	}
	return idx, nil
}

// chineseNumeral converts 一 to 九十九; it returns 0 for anything else.
func chineseNumeral(s string) int {
	digits := map[rune]int{'一': 1, '二': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
	r := []rune(s)
	switch {
	case len(r) == 1 && r[0] == '十':
		return 10
	case len(r) == 1:
		return digits[r[0]]
	case len(r) == 2 && r[0] == '十':
		return 10 + digits[r[1]]
	case len(r) == 2 && r[1] == '十':
		return digits[r[0]] * 10
	case len(r) == 3 && r[1] == '十':
		return digits[r[0]]*10 + digits[r[2]]
	}
	return 0
}

// Marshal encodes the index as indented JSON with a trailing newline.
func (idx *Index) Marshal() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(idx); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Unmarshal decodes an index written by Marshal.
func Unmarshal(data []byte) (*Index, error) {
	var idx Index
	if err := json.Unmarshal(data, &idx); err != nil {
		return nil, fmt.Errorf("plan: clause index: %w", err)
	}
	if len(idx.Sections) != domain.SectionCount {
		return nil, fmt.Errorf("%w: clause index has %d sections", ErrMalformed, len(idx.Sections))
	}
	return &idx, nil
}

// Clause returns the verbatim text of section s, item i.
func (idx *Index) Clause(s, i int) (string, bool) {
	if s < 1 || s > len(idx.Sections) {
		return "", false
	}
	items := idx.Sections[s-1].Items
	if i < 1 || i > len(items) {
		return "", false
	}
	return items[i-1].Text, true
}

// Clauses flattens the index into domain clauses.
func (idx *Index) Clauses() []domain.Clause {
	var out []domain.Clause
	for _, s := range idx.Sections {
		for _, it := range s.Items {
			out = append(out, domain.Clause{Section: s.Number, Item: it.Item, Text: it.Text})
		}
	}
	return out
}
