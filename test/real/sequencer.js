// Runs fresh-node.test.ts first (it needs the nodes' very first ML requests), then the rest by name.
'use strict';
const Sequencer = require('@jest/test-sequencer').default;

class RealTierSequencer extends Sequencer {
  sort(tests) {
    const rank = (t) => (t.path.endsWith('fresh-node.test.ts') ? 0 : 1);
    return [...tests].sort((a, b) => rank(a) - rank(b) || a.path.localeCompare(b.path));
  }
}
module.exports = RealTierSequencer;
