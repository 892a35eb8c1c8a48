// Verifies a Verifiable Credential read on stdin with the Digital Credentials Consortium's stack, offline:
// @digitalcredentials/vc (the checks of the VC data model), @digitalcredentials/data-integrity with the
// eddsa-rdfc-2022 cryptosuite, and the DCC's security document loader (contexts bundled, did:key resolved
// locally; remote contexts are never fetched). Prints {verified, proof, errors} as JSON (a list of them for a list
// of credentials); exit 0 when every one verified.
import * as vc from '@digitalcredentials/vc';
import {DataIntegrityProof} from '@digitalcredentials/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalcredentials/eddsa-rdfc-2022-cryptosuite';
import {securityLoader} from '@digitalcredentials/security-document-loader';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));

const documentLoader = securityLoader({fetchRemoteContexts: false}).build();
const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});

function describe(error) {
  if (!error) return null;
  const out = {name: error.name, message: error.message};
  if (error.errors) out.errors = error.errors.map(describe);
  if (error.cause) out.cause = describe(error.cause);
  return out;
}

async function verify(credential) {
  let result;
  try {
    result = await vc.verifyCredential({credential, suite, documentLoader});
  } catch (error) {
    result = {verified: false, error};
  }
  const errors = [];
  if (result.error) errors.push(describe(result.error));
  for (const r of result.results || []) if (r.error) errors.push(describe(r.error));
  return {
    verified: result.verified === true,
    proof: (result.results || []).map(r => ({verified: r.verified, cryptosuite: r.proof && r.proof.cryptosuite,
      verificationMethod: r.verificationMethod && r.verificationMethod.id})),
    errors,
  };
}

// One credential: one report. An array of credentials: an array of reports (one node start for many).
const reports = Array.isArray(input) ? [] : null;
for (const credential of Array.isArray(input) ? input : [input]) {
  const report = await verify(credential);
  if (reports) reports.push(report); else {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    process.exit(report.verified ? 0 : 1);
  }
}
process.stdout.write(JSON.stringify(reports) + '\n');
process.exit(reports.every(r => r.verified) ? 0 : 1);
