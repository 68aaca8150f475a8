// esbuild plugins for serverless-esbuild.
const fs = require('node:fs');
const path = require('node:path');

/** zod's namespace object carries every locale (about 250 KB); Trailwarden reports in English. */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      args.importer.includes(`${path.sep}zod${path.sep}`)
        ? { path: path.join(__dirname, 'zod-locales-en.cjs') }
        : undefined,
    );
  },
};

function yamlFiles(entry) {
  const stat = fs.statSync(entry);
  if (!stat.isDirectory()) return [entry];
  return fs
    .readdirSync(entry)
    .sort()
    .flatMap((name) => {
      const child = path.join(entry, name);
      return fs.statSync(child).isDirectory() || /\.ya?ml$/.test(name) ? yamlFiles(child) : [];
    });
}

/**
 * Embeds the policy files named by process.env.TRAILWARDEN_POLICY_PATHS (an esbuild define) as
 * data, so the functions do not ship a YAML parser; a file that is not valid YAML fails the package.
 * The functions still validate the policies (schema and checks) once per cold start.
 */
const embeddedPolicies = {
  name: 'trailwarden-embedded-policies',
  setup(build) {
    const define = build.initialOptions.define ?? {};
    const raw = define['process.env.TRAILWARDEN_POLICY_PATHS'];
    if (!raw) return;
    const YAML = require('yaml');
    const docs = JSON.parse(raw)
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)
      .flatMap((p) => yamlFiles(path.resolve(p)))
      .map((file) => {
        const doc = YAML.parseDocument(fs.readFileSync(file, 'utf8'));
        if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0].message}`);
        return { file: path.relative(process.cwd(), file), data: doc.toJS() };
      });
    build.initialOptions.define = { ...define, __TRAILWARDEN_POLICIES__: JSON.stringify(docs) };
  },
};

module.exports = [zodEnglishOnly, embeddedPolicies];
