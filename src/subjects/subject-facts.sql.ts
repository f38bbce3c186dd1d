/**
 * The subjects module's published read model for the consent decision: the SQL fragments that read
 * subjects, subject_identifiers and subject_suppressions, for the consent module to splice into its
 * decision, batch and audience statements.
 *
 * Why fragments and not a service call: the decision is the hot path, and asking SubjectsService for the
 * facts and then reading consent state is two round trips where one statement does. The subjects module
 * still owns the schema: only this file names its tables and columns, so a change to them is made (and
 * reviewed) here, and the consent statements follow.
 *
 * Conventions, fixed because consent's statements are written around them:
 * - A subject read for its facts is aliased `g` (or the `row` given), and the record it was merged into,
 *   when any, `v` (the `survivor`): a merged id answers with its survivor's facts, as
 *   SubjectsService.getDecisionFacts does.
 * - The fact columns are `subject_status` ('active' | 'restricted' | 'erased'), `minor_until` (text, a
 *   date or null), `objected` (boolean: direct-marketing objection on record) and `objected_purpose`
 *   (boolean: an Art. 21(1) objection to the purpose asked about, whose key the caller's parameter holds).
 * - Parameter positions ($n) and id expressions are passed in by the caller, which owns the statement.
 * - The text returned is exactly what consent's statements contained before the move (indentation
 *   included), so the named prepared statements and their plans are unchanged.
 */

/** The id of the survivor: the merged-into record's, else the subject's own. */
export const survivorId = (row = 'g', survivor = 'v'): string => `COALESCE(${survivor}.id, ${row}.id)`;

/**
 * `subject_status`, `minor_until`, `objected` and `objected_purpose` (for the purpose key `purposeParam`) of
 * the survivor, one column per line after `indent`. A merge carries objections over to the survivor.
 */
export const survivorFactColumns = (row: string, survivor: string, indent: string, purposeParam: string): string =>
  `COALESCE(${survivor}.status, ${row}.status) AS subject_status,
${indent}COALESCE(${survivor}.minor_until, ${row}.minor_until)::text AS minor_until,
${indent}COALESCE(${survivor}.objected_direct_marketing_at, ${row}.objected_direct_marketing_at) IS NOT NULL AS objected,
${indent}${purposeParam} = ANY(COALESCE(${survivor}.objected_purposes, ${row}.objected_purposes)) AS objected_purpose`;

/**
 * Joins the subject whose id is `idExpr` as `row` (an inner join: an unknown id gives no row) and its
 * survivor as `survivor`.
 */
export const survivorJoins = (idExpr: string, row = 'g', survivor = 'v'): string =>
  `JOIN subjects ${row} ON ${row}.id = ${idExpr}
    LEFT JOIN subjects ${survivor} ON ${survivor}.id = ${row}.merged_into`;

/**
 * A `LEFT JOIN LATERAL ... f ON true` giving, for the subject id `idExpr` (null or unknown: null columns),
 * `f.id` (the survivor's id) and the fact columns as `f.subject_status`, `f.minor_until`, `f.objected`,
 * `f.objected_purpose` (for the purpose key `purposeParam`). `when`: a condition on the outer row under which the
 * facts are read at all. OFFSET 0 keeps the subquery from being pulled up into the join, where the condition would
 * filter the subjects after reading them; kept apart, PostgreSQL checks it once (a one-time filter) before reading.
 */
export const subjectFactsLateral = (idExpr: string, purposeParam: string, when?: string): string => `
    LEFT JOIN LATERAL (
      SELECT ${survivorId()} AS id, ${survivorFactColumns('g', 'v', '             ', purposeParam)}
        FROM subjects g LEFT JOIN subjects v ON v.id = g.merged_into
       WHERE g.id = ${idExpr}${when ? ` AND ${when} OFFSET 0` : ''}
    ) f ON true`;

/**
 * A derived table of one row, column `id`: the one owner of a blind index of a kind, null when nobody
 * or several subjects hold it (external ids shared across systems), as SubjectLookup.findId answers.
 */
export const soleOwnerOfBlindIndex = (kindParam: string, blindIndexParam: string): string => `(
      SELECT CASE WHEN count(DISTINCT subject_id) = 1 THEN min(subject_id::text)::uuid END AS id
        FROM subject_identifiers WHERE kind = ${kindParam} AND blind_index = ${blindIndexParam}
    )`;

/**
 * Joins every owner of the blind index `blindIndexExpr` of kind `kindParam` as `alias` (the owner's id is
 * `<alias>.subject_id`): a shared index gives a row per owner.
 */
export const blindIndexOwnersJoin = (alias: string, kindParam: string, blindIndexExpr: string): string =>
  `JOIN subject_identifiers ${alias} ON ${alias}.kind = ${kindParam} AND ${alias}.blind_index = ${blindIndexExpr}`;

/** A boolean expression: is the identifier (its suppression hash, of a kind) on the suppression list. */
export const identifierSuppressed = (kindParam: string, hashParam: string): string =>
  `EXISTS (SELECT 1 FROM subject_suppressions WHERE kind = ${kindParam} AND hash = ${hashParam})`;
