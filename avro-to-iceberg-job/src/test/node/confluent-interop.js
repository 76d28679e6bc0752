// Drives Confluent's own Schema Registry client and Avro serdes for Node (@confluentinc/schemaregistry) for
// ConfluentClientInteropITCase. Reads one JSON request from stdin, writes one JSON answer to stdout:
//   serialize:   {url, userInfo?, topic, records: [...]}  -> {values: [base64 Confluent wire-format values]}
//   deserialize: {url, userInfo?, topic, values: [base64]} -> {records: [...]}
// Records are plain JSON: strings, numbers for longs (timestamp-millis), {"$bytes": base64} for bytes (decimals).
'use strict';

const {
  SchemaRegistryClient,
  AvroSerializer,
  AvroDeserializer,
  SerdeType,
} = require('@confluentinc/schemaregistry');

function client(request) {
  // Without credentials the client still sends "Basic Og==" (empty user and password), as some Confluent
  // clients do by default: an open registry must ignore it.
  return new SchemaRegistryClient({
    baseURLs: [request.url],
    basicAuthCredentials: { credentialsSource: 'USER_INFO', userInfo: request.userInfo || ':' },
  });
}

function fromJson(record) {
  const result = {};
  for (const [name, value] of Object.entries(record)) {
    result[name] = value !== null && typeof value === 'object' && '$bytes' in value
      ? Buffer.from(value.$bytes, 'base64')
      : value;
  }
  return result;
}

function toJson(record) {
  const result = {};
  for (const [name, value] of Object.entries(record)) {
    result[name] = Buffer.isBuffer(value) ? { $bytes: value.toString('base64') } : value;
  }
  return result;
}

async function serialize(request) {
  // The job's schemas are registered by the test: write with the subject's latest version, register nothing.
  const serializer = new AvroSerializer(client(request), SerdeType.VALUE, {
    autoRegisterSchemas: false,
    useLatestVersion: true,
  });
  const values = [];
  for (const record of request.records) {
    values.push((await serializer.serialize(request.topic, fromJson(record))).toString('base64'));
  }
  return { values };
}

async function deserialize(request) {
  const deserializer = new AvroDeserializer(client(request), SerdeType.VALUE, {});
  const records = [];
  for (const value of request.values) {
    records.push(toJson(await deserializer.deserialize(request.topic, Buffer.from(value, 'base64'))));
  }
  return { records };
}

async function main() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  const request = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const commands = { serialize, deserialize };
  const command = commands[process.argv[2]];
  if (!command) {
    throw new Error(`Unknown command '${process.argv[2]}': use serialize or deserialize`);
  }
  process.stdout.write(JSON.stringify(await command(request)));
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
