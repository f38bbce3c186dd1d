// Issue 12: SQL lives in repositories. Outside `*.repository.ts` (and src/database), no method of a TypeORM
// DataSource, EntityManager, Repository, QueryRunner or query builder, nor of a pg Pool or Client, may be
// called, except `DataSource.transaction`: services start transactions and hand the EntityManager on.
// The check reads the TypeScript type of the receiver, so a renamed variable or `this.dataSource.manager`
// cannot slip past it.
'use strict';

const QUERY_TYPES = new Set([
  'DataSource',
  'EntityManager',
  'Repository',
  'TreeRepository',
  'QueryRunner',
  'SelectQueryBuilder',
  'InsertQueryBuilder',
  'UpdateQueryBuilder',
  'DeleteQueryBuilder',
  'SoftDeleteQueryBuilder',
  'QueryBuilder',
  'Pool',
  'PoolClient',
  'Client',
]);
const ALLOWED = { DataSource: new Set(['transaction']) };

// Only the types these packages declare: another library's `Client` or `Repository` is not a database handle.
const FROM = /[\\/]node_modules[\\/](typeorm|pg|@types[\\/]pg|pg-pool)[\\/]/;

function typeNames(type) {
  const names = [];
  const add = (t) => {
    const symbol = t.aliasSymbol ?? t.getSymbol();
    if (!symbol) return;
    const declared = (symbol.getDeclarations() ?? []).some((d) => FROM.test(d.getSourceFile().fileName));
    if (declared) names.push(symbol.getName());
  };
  if (type.isUnion()) type.types.forEach(add);
  else add(type);
  return names;
}

/** @type {import('eslint').Rule.RuleModule} */
module.exports = {
  meta: {
    type: 'problem',
    docs: { description: 'Queries belong in repositories: no DataSource/EntityManager/pg calls elsewhere' },
    messages: {
      query:
        "'{{type}}.{{method}}()' outside a repository: move the query into this module's *.repository.ts and pass the EntityManager of the caller's transaction.",
    },
    schema: [],
  },
  create(context) {
    const services = context.sourceCode.parserServices;
    if (!services || !services.program) throw new Error('no-query-outside-repository needs type information');
    const checker = services.program.getTypeChecker();
    return {
      'CallExpression > MemberExpression.callee'(node) {
        const method = node.property.type === 'Identifier' ? node.property.name : null;
        if (!method) return;
        const tsNode = services.esTreeNodeToTSNodeMap.get(node.object);
        const type = checker.getTypeAtLocation(tsNode);
        for (const name of typeNames(type)) {
          if (!QUERY_TYPES.has(name)) continue;
          if (ALLOWED[name]?.has(method)) continue;
          context.report({ node, messageId: 'query', data: { type: name, method } });
          return;
        }
      },
    };
  },
};
