/**
 * A list endpoint's read-model filter, declared once as `query parameter → document field`: each
 * parameter that is set matches its field. Unset means falsy (absent, '', 0), as list queries
 * have always read it; a list with ranges or lookups adds those to what this returns.
 */
export function filterFrom<Query extends object>(query: Query, fields: { [Param in keyof Query]?: string }): Record<string, unknown> {
  const filter: Record<string, unknown> = {};
  for (const param of Object.keys(fields) as (keyof Query)[]) {
    const value = query[param];
    if (value) filter[fields[param]!] = value;
  }
  return filter;
}
