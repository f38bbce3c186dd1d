/**
 * The ids under which one person's audit entries were written. The audit log is append-only, so when two
 * subject records are merged their entries cannot be rewritten to the survivor's id; instead a query by
 * the survivor's id also finds the entries of the records merged into it. Provided by the subjects
 * module; without it a query matches the id given only.
 */
export abstract class SubjectAliases {
  abstract aliasesOf(subjectId: string): Promise<string[]>;
}
