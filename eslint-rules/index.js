'use strict';
// The project's own lint rules (loaded by eslint.config.js as the `zgoda` plugin).
module.exports = {
  rules: {
    'no-query-outside-repository': require('./no-query-outside-repository'),
  },
};
