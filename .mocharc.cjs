// Shared by `npm run test:unit` and `npm test`; the scripts name the spec files and the stack fixture.
module.exports = {
  'node-option': ['import=tsx'],
  extension: ['ts'],
  reporter: 'spec',
  recursive: true,
};
