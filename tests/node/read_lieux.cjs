// Reads records of the national "schéma des lieux de médiation numérique" (a JSON list on stdin) with ANCT's own
// library, as the national map does: every record must be read without error. Prints what was read as JSON.
const { fromSchemaLieuxDeMediationNumerique } = require('@gouvfr-anct/lieux-de-mediation-numerique');

let input = '';
process.stdin.on('data', (chunk) => (input += chunk));
process.stdin.on('end', () => {
  const records = JSON.parse(input);
  const read = [];
  for (const [index, record] of records.entries()) {
    try {
      read.push(fromSchemaLieuxDeMediationNumerique([record])[0]);
    } catch (error) {
      console.error(`record ${index} (${record.id}): ${error.constructor.name}: ${error.message}`);
      process.exitCode = 1;
    }
  }
  console.log(JSON.stringify(read));
});
