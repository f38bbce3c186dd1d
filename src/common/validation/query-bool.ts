/** `@Transform(queryBool)`: a query string's `true` / `false` as booleans; anything else stays for the validator. */
export const queryBool = ({ value }: { value: unknown }) =>
  value === 'true' ? true : value === 'false' ? false : value;
