// Stands in for zod/v4/locales/index.js in Lambda bundles: English only.
module.exports = { en: require('zod/v4/locales/en.js').default };
