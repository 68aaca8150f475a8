// esbuild plugins for serverless-esbuild. zod's namespace object carries every locale (about
// 250 KB); Trailwarden reports in English, and zod applies its English locale by a direct import.
const path = require('node:path');

module.exports = [
  {
    name: 'zod-english-only',
    setup(build) {
      build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
        args.importer.includes(`${path.sep}zod${path.sep}`)
          ? { path: path.join(__dirname, 'zod-locales-en.cjs') }
          : undefined,
      );
    },
  },
];
