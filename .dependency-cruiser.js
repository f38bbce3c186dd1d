// Module boundaries (issue 12), checked on every TypeScript import (type-only imports included) by
// `npm run lint`. The map itself is architecture.config.js; docs/ARCHITECTURE.md shows it as a table; the
// rules are in scripts/dependency-rules.js.
'use strict';

module.exports = require('./scripts/dependency-rules').rulesFor(require('./architecture.config'));
