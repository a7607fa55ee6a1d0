// Added by tools/ferretdb (not upstream): filter, sort and limit pushdown that PostgreSQL's
// btree indexes on (_jsonb->'field') — the ones createIndexes builds — can serve.
// See tools/README.md for the rules and why they keep MongoDB semantics.

package postgresql

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/FerretDB/FerretDB/internal/backends/postgresql/metadata"
	"github.com/FerretDB/FerretDB/internal/handler/sjson"
	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/iterator"
	"github.com/FerretDB/FerretDB/internal/util/lazyerrors"
	"github.com/FerretDB/FerretDB/internal/util/must"
)

// pushdown is the SQL translation of a filter, and what it allows beyond the WHERE clause.
type pushdown struct {
	where string // "" or " WHERE ..."
	args  []any

	// exact: the WHERE clause selects exactly the documents the filter matches
	// (nothing left for the handler to drop), so a LIMIT may be pushed down.
	exact bool

	// ordered: top-level fields that, in every selected row, hold a non-array value of one type
	// bracket in which jsonb order is MongoDB order, so an ORDER BY on them may be pushed down.
	ordered map[string]bool
}

// bracket is a set of sjson types that MongoDB compares with each other.
type bracket struct {
	types     []string // sjson type names ("t" in the schema)
	collated  bool     // jsonb orders it with the database collation (strings)
	low, high string   // jsonb bounds of the bracket, for index ranges ("" if none)
}

var (
	bracketString   = bracket{types: []string{"string"}, collated: true, low: `'""'::jsonb`}
	bracketObjectID = bracket{types: []string{"objectId"}, collated: true, low: `'""'::jsonb`}
	bracketNumber   = bracket{types: []string{"int", "long", "double"}, high: `'false'::jsonb`}
	bracketDate     = bracket{types: []string{"date"}, high: `'false'::jsonb`}
	bracketBool     = bracket{types: []string{"bool"}, low: `'false'::jsonb`, high: `'true'::jsonb`}
)

// bracketOf returns the bracket of a filter value, or false if the value is not pushed down.
func bracketOf(v any) (bracket, bool) {
	switch v := v.(type) {
	case string:
		return bracketString, true
	case types.ObjectID:
		return bracketObjectID, true
	case bool:
		return bracketBool, true
	case time.Time:
		return bracketDate, true
	case int32:
		return bracketNumber, true
	case int64:
		return bracketNumber, v <= int64(types.MaxSafeDouble) && v >= -int64(types.MaxSafeDouble)
	case float64:
		return bracketNumber, !math.IsNaN(v) && math.Abs(v) <= types.MaxSafeDouble
	default:
		return bracket{}, false
	}
}

var sqlOperators = map[string]string{"$eq": "=", "$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}

type pushdownBuilder struct {
	p          *metadata.Placeholder
	cCollation bool
	conds      []string
	res        pushdown
}

// preparePushdown translates the top-level conditions of filter (and of `$and`) that it can into SQL
// an index can serve; the others are left to the handler, which re-filters every fetched document.
// cCollation tells whether the database orders strings bytewise (like MongoDB).
func preparePushdown(p *metadata.Placeholder, filter *types.Document, cCollation bool) (*pushdown, error) {
	b := &pushdownBuilder{p: p, cCollation: cCollation, res: pushdown{exact: true, ordered: map[string]bool{}}}

	if filter != nil {
		if err := b.document(filter); err != nil {
			return nil, err
		}
	}

	if len(b.conds) > 0 {
		b.res.where = " WHERE " + strings.Join(b.conds, " AND ")
	}

	return &b.res, nil
}

func (b *pushdownBuilder) document(doc *types.Document) error {
	iter := doc.Iterator()
	defer iter.Close()

	for {
		k, v, err := iter.Next()
		if err != nil {
			if errors.Is(err, iterator.ErrIteratorDone) {
				return nil
			}

			return lazyerrors.Error(err)
		}

		switch {
		case k == "$comment":
			// attached to the query as a comment, not a condition

		case k == "$and":
			arr, ok := v.(*types.Array)
			if !ok {
				b.res.exact = false
				continue
			}

			for i := 0; i < arr.Len(); i++ {
				sub, ok := must.NotFail(arr.Get(i)).(*types.Document)
				if !ok {
					b.res.exact = false
					continue
				}

				if err = b.document(sub); err != nil {
					return err
				}
			}

		case k == "" || strings.HasPrefix(k, "$") || strings.ContainsRune(k, '.'):
			// other operators, dot notation (arrays on the path) and empty keys are not pushed down
			b.res.exact = false

		default:
			b.field(k, v)
		}
	}
}

func (b *pushdownBuilder) field(k string, v any) {
	ops, ok := v.(*types.Document)
	if !ok {
		b.condition(k, "=", v)
		return
	}

	// an operator document; a literal sub-document (equality, `{}` too) is not pushed down
	if ops.Len() == 0 {
		b.res.exact = false
		return
	}

	iter := ops.Iterator()
	defer iter.Close()

	for {
		op, arg, err := iter.Next()
		if err != nil {
			if !errors.Is(err, iterator.ErrIteratorDone) {
				b.res.exact = false // a broken document, which the handler reports
			}

			return
		}

		if op == "$in" && k == "_id" {
			b.idIn(arg)
			continue
		}

		sqlOp, ok := sqlOperators[op]
		if !ok {
			b.res.exact = false
			continue
		}

		b.condition(k, sqlOp, arg)
	}
}

// condition adds `k op v` with MongoDB semantics: the value of k is of v's type bracket and compares
// to v, or k is an array with such an element. _id is never an array.
func (b *pushdownBuilder) condition(k, op string, v any) {
	br, ok := bracketOf(v)
	if !ok || (op != "=" && br.collated && !b.cCollation) {
		// a range over strings follows the database collation, which may not be MongoDB's order
		b.res.exact = false
		return
	}

	col := fmt.Sprintf("%s->%s", metadata.DefaultColumn, quoteLiteral(k))
	typ := fmt.Sprintf("%s->'$s'->'p'->%s", metadata.DefaultColumn, quoteLiteral(k))

	val := b.p.Next() + "::jsonb"
	b.res.args = append(b.res.args, string(must.NotFail(sjson.MarshalSingleValue(v))))

	// A scalar: the btree on (_jsonb->'k') serves the comparison; the type check (in the sjson
	// schema) drops values of another type that share the JSON representation (an ObjectId and
	// its hex string, a date and its milliseconds).
	scalar := []string{fmt.Sprintf("%s %s %s", col, op, val)}
	if op != "=" {
		if br.low != "" && (op == "<" || op == "<=") {
			scalar = append(scalar, fmt.Sprintf("%s >= %s", col, br.low))
		}

		if br.high != "" && (op == ">" || op == ">=") {
			scalar = append(scalar, fmt.Sprintf("%s <= %s", col, br.high))
		}
	}

	scalar = append(scalar, typeIn(typ+"->'t'", br.types))

	cond := "(" + strings.Join(scalar, " AND ") + ")"

	if k == "_id" {
		b.res.ordered[k] = true
	} else {
		// An array: non-empty jsonb arrays sort between `true` and `{}`, a range the same btree
		// serves; then one of its elements must be of the bracket and compare to v.
		arr := fmt.Sprintf(
			`(%[1]s > 'true'::jsonb AND %[1]s < '{}'::jsonb AND `+
				// CASE: quals may be evaluated in any order, and only an array has elements
				`CASE WHEN jsonb_typeof(%[1]s) = 'array' THEN EXISTS (`+
				`SELECT 1 FROM jsonb_array_elements(%[1]s) WITH ORDINALITY AS e(v, i) `+
				`WHERE e.v %[2]s %[3]s AND %[4]s) ELSE false END)`,
			col, op, val, typeIn(typ+"->'i'->(e.i::int - 1)->'t'", br.types),
		)
		cond = "(" + cond + " OR " + arr + ")"

		// the value may be an array, whose MongoDB sort key is its least or greatest element
		b.res.ordered[k] = false
	}

	b.conds = append(b.conds, cond)
}

// idIn adds `_id IN (values)`: one indexed equality per value, ORed (a bitmap of index scans).
// _id is never an array, so each value matches exactly as an equality does; an empty list
// matches nothing. A value whose type is not pushed down leaves the whole $in to the handler.
func (b *pushdownBuilder) idIn(v any) {
	arr, ok := v.(*types.Array)
	if !ok {
		b.res.exact = false
		return
	}

	if arr.Len() == 0 {
		b.conds = append(b.conds, "FALSE")
		b.res.ordered["_id"] = true

		return
	}

	brs := make([]bracket, arr.Len())

	for i := 0; i < arr.Len(); i++ {
		br, ok := bracketOf(must.NotFail(arr.Get(i)))
		if !ok {
			b.res.exact = false
			return
		}

		brs[i] = br
	}

	ors := make([]string, 0, arr.Len())

	for i, br := range brs {
		el := must.NotFail(arr.Get(i))
		val := b.p.Next() + "::jsonb"
		b.res.args = append(b.res.args, string(must.NotFail(sjson.MarshalSingleValue(el))))
		ors = append(ors, fmt.Sprintf(
			"(%s->'_id' = %s AND %s)",
			metadata.DefaultColumn, val, typeIn(metadata.DefaultColumn+"->'$s'->'p'->'_id'->'t'", br.types),
		))
	}

	b.conds = append(b.conds, "("+strings.Join(ors, " OR ")+")")
	b.res.ordered["_id"] = true
}

// orderBy returns the ORDER BY clause for sort if every sort key is ordered by the pushdown.
func (pd *pushdown) orderBy(sort *types.Document) (string, bool) {
	if sort == nil || sort.Len() == 0 {
		return "", true
	}

	var keys []string

	iter := sort.Iterator()
	defer iter.Close()

	for {
		k, v, err := iter.Next()
		if err != nil {
			if errors.Is(err, iterator.ErrIteratorDone) {
				break
			}

			return "", false
		}

		if !pd.ordered[k] {
			return "", false
		}

		dir, ok := v.(int64)
		if !ok || (dir != 1 && dir != -1) {
			return "", false
		}

		key := fmt.Sprintf("%s->%s", metadata.DefaultColumn, quoteLiteral(k))
		if dir == -1 {
			key += " DESC"
		}

		keys = append(keys, key)
	}

	return " ORDER BY " + strings.Join(keys, ", "), true
}

// sortLimit returns the ORDER BY and LIMIT clauses (with args) to push down for the given
// sort and limit: only when the WHERE clause is exact and orders by every sort key.
func (pd *pushdown) sortLimit(p *metadata.Placeholder, sort *types.Document, limit int64) (string, []any) {
	if limit <= 0 || !pd.exact {
		return "", nil
	}

	order, ok := pd.orderBy(sort)
	if !ok {
		return "", nil
	}

	return order + " LIMIT " + p.Next(), []any{limit}
}

func typeIn(expr string, names []string) string {
	ors := make([]string, len(names))
	for i, n := range names {
		ors[i] = fmt.Sprintf(`%s = '"%s"'`, expr, n)
	}

	if len(ors) == 1 {
		return ors[0]
	}

	return "(" + strings.Join(ors, " OR ") + ")"
}

// quoteLiteral quotes a field name as an SQL literal, so that the expression matches the
// index expressions createIndexes builds (a placeholder would not, in a generic plan).
// The connection is checked for standard_conforming_strings=on and UTF8.
func quoteLiteral(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// cCollated caches, per pool, whether its database orders strings bytewise.
var cCollated sync.Map

// isCCollated tells whether the pool's database has the C (or POSIX) collation from libc.
func isCCollated(ctx context.Context, p *pgxpool.Pool) (bool, error) {
	if v, ok := cCollated.Load(p); ok {
		return v.(bool), nil
	}

	var c bool

	// to_jsonb: datlocprovider (ICU or libc) exists only since PostgreSQL 15
	q := `SELECT datcollate IN ('C', 'POSIX') AND coalesce(to_jsonb(d)->>'datlocprovider', 'c') = 'c' ` +
		`FROM pg_database d WHERE datname = current_database()`
	if err := p.QueryRow(ctx, q).Scan(&c); err != nil {
		return false, lazyerrors.Error(err)
	}

	cCollated.Store(p, c)

	return c, nil
}
