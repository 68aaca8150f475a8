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

/**
 * The names a source file imports from `pkg` (`import { A, type B, C as D } from 'pkg'`), or
 * undefined when it imports the package some other way (then every export is offered).
 */
function importedNames(file, pkg) {
  const source = fs.readFileSync(file, 'utf8');
  const quoted = pkg.replace(/[/.]/g, '\\$&');
  const lists = [
    ...source.matchAll(new RegExp(`import\\s+(?:type\\s+)?\\{([^}]*)\\}\\s*from\\s*['"]${quoted}['"]`, 'g')),
  ];
  if (lists.length === 0) return undefined;
  return lists
    .flatMap((m) => m[1].split(','))
    .map((n) => n.trim())
    .filter((n) => n && !n.startsWith('type '))
    .map((n) => n.split(/\s+as\s+/)[0]);
}

/**
 * Leaves the packages `names` to the Lambda runtime, loaded on first use instead of at cold start:
 * each import of one resolves to a stand-in whose exports are getters that require the real package
 * when first read (esbuild's interop copies a module's exports by name, so the stand-in must name
 * them: those its importer imports, else every export of the package, read at build time).
 */
function lazyPackages(names) {
  const namespace = 'trailwarden-lazy';
  const filter = new RegExp(`^(${names.map((n) => n.replace(/[/.]/g, '\\$&')).join('|')})$`);
  return {
    name: 'trailwarden-lazy-packages',
    setup(build) {
      build.onResolve({ filter }, (args) => {
        if (args.namespace === namespace) return { path: args.path, external: true };
        // A dynamic import() is loaded on first use already.
        if (args.kind !== 'import-statement') return undefined;
        const imported = importedNames(args.importer, args.path);
        return { path: `${args.path}#${imported ? imported.sort().join(',') : '*'}`, namespace };
      });
      build.onLoad({ filter: /.*/, namespace }, (args) => {
        const [pkg, list] = args.path.split('#');
        const keys =
          list === '*'
            ? Object.keys(require(require.resolve(pkg, { paths: [process.cwd()] })))
            : list.split(',').filter(Boolean);
        return {
          loader: 'js',
          resolveDir: process.cwd(),
          contents: `let m;const load=()=>m??=require(${JSON.stringify(pkg)});for(const k of ${JSON.stringify(keys)})Object.defineProperty(exports,k,{enumerable:true,get:()=>load()[k]});`,
        };
      });
    },
  };
}

/**
 * SDK clients no function uses before its first invocation: shared/aws imports them for the central
 * stack (assuming member roles, reading the organization). Loaded when first used, they are no part
 * of any function's cold start (see bench/coldstart.bench.ts).
 */
const LAZY_SDK = ['@aws-sdk/client-sts', '@aws-sdk/client-organizations'];

module.exports = [zodEnglishOnly, embeddedPolicies, lazyPackages(LAZY_SDK)];
module.exports.lazyPackages = lazyPackages;
module.exports.LAZY_SDK = LAZY_SDK;
