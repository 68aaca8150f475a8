// The stage parameters, checked when the stack is packaged: serverless.yml picks stack/<mode>.yml
// through this file, so a bad value stops `serverless package` with one message naming the
// parameter and what it expects (the functions check their settings again at cold start).
const problem = (name, expected, got) => {
  const shown = got === undefined ? '' : ` (got ${JSON.stringify(got)})`;
  const error = new Error(`--param ${name}: expected ${expected}${shown}`);
  // Serverless prints the stack of a failed variable: make it the message alone.
  error.stack = error.message;
  return error;
};

module.exports = async ({ resolveVariable }) => {
  const param = async (name) => String((await resolveVariable(`param:${name}`)) ?? '');
  const mode = await param('mode');
  if (mode !== 'single' && mode !== 'central') throw problem('mode', 'single or central', mode);
  if (mode === 'single') return mode;
  const organizationId = await param('organizationId');
  if (!/^o-[a-z0-9]{10,32}$/.test(organizationId))
    throw problem('organizationId', 'the organization id, o-… (mode=central)', organizationId);
  const organization = await param('organization');
  if (organization !== 'true' && organization !== 'false')
    throw problem('organization', 'true or false', organization);
  const accounts = await param('accounts');
  if (accounts !== '' && !/^\d{12}(,\d{12})*$/.test(accounts))
    throw problem('accounts', 'comma-separated 12-digit account ids, without spaces', accounts);
  if ((organization === 'true') === (accounts !== ''))
    throw problem(
      organization === 'true' ? 'accounts' : 'organization',
      'either organization=true (every account) or accounts=ID,ID, not both (mode=central)',
      organization === 'true' ? accounts : organization,
    );
  const role = await param('memberRoleName');
  if (role !== '' && !/^[\w+=,.@-]{1,64}$/.test(role))
    throw problem('memberRoleName', 'an IAM role name', role);
  const externalId = await param('externalId');
  // Not echoed: an external id is shared with every member account's trust policy.
  if (externalId !== '' && !/^[\w+=,.@:/-]{2,1224}$/.test(externalId))
    throw problem('externalId', '2 to 1224 characters of letters, digits and +=,.@:/_-');
  for (const name of ['sweepBatchSize', 'sweepConcurrency']) {
    const value = await param(name);
    const max = name === 'sweepBatchSize' ? 10 : 1000;
    if (!/^\d+$/.test(value) || Number(value) < (name === 'sweepBatchSize' ? 1 : 2) || Number(value) > max)
      throw problem(name, `a whole number up to ${max}`, value);
  }
  return mode;
};
