// kafkajs, a third independent implementation of the Kafka protocol, driven by tests/Interop.Tests
// (KafkajsInteropTests). Records travel as JSON lines, bytes as base64 (null stays null):
//   {"partition":0,"key":"..","value":"..","headers":[["name","base64"|null]],"timestamp":"1700000000000"}
//
//   node interop.js produce <brokers> <topic> <gzip|none>   records on stdin; prints {"partition","offset"} per record, in order
//   node interop.js consume <brokers> <topic> <count>       prints <count> records read from the beginning (a fresh group)
//   node interop.js member  <brokers> <topic> <group>       a group member (assignor "roundrobin") printing its records and
//                                                           {"assigned":[..]} on each join; leaves the group when stdin closes
'use strict'
const readline = require('node:readline')
const { Kafka, CompressionTypes, PartitionAssigners, logLevel } = require('kafkajs')

const [command, brokers, topic, arg] = process.argv.slice(2)
const kafka = new Kafka({
  clientId: 'kafkajs-interop',
  brokers: brokers.split(','),
  logLevel: logLevel.WARN,
  retry: { initialRetryTime: 100, maxRetryTime: 1000, retries: 20 },
  // Logs go to stderr: stdout carries only the JSON lines the test reads.
  logCreator: () => ({ namespace, level, log }) => console.error(`[kafkajs ${level}] ${namespace}: ${log.message} ${log.error || ''}`),
})

const toBuffer = b64 => (b64 === null ? null : Buffer.from(b64, 'base64'))
const toBase64 = buffer => (buffer === null || buffer === undefined ? null : buffer.toString('base64'))
const print = object => process.stdout.write(JSON.stringify(object) + '\n')

// kafkajs keeps headers in an object: a repeated name holds an array of values, in order.
function headersToObject(pairs) {
  const headers = {}
  for (const [name, value] of pairs) {
    const buffer = toBuffer(value)
    if (!(name in headers)) headers[name] = buffer
    else headers[name] = [].concat(headers[name], [buffer])
  }
  return headers
}

function headersToPairs(headers) {
  return Object.entries(headers || {}).flatMap(([name, value]) =>
    Array.isArray(value) ? value.map(v => [name, toBase64(v)]) : [[name, toBase64(value)]])
}

function recordLine(partition, message) {
  return {
    partition,
    offset: message.offset,
    key: toBase64(message.key),
    value: toBase64(message.value),
    headers: headersToPairs(message.headers),
    timestamp: message.timestamp,
  }
}

async function readStdinLines() {
  const lines = []
  for await (const line of readline.createInterface({ input: process.stdin })) if (line.trim()) lines.push(JSON.parse(line))
  return lines
}

async function produce(codec) {
  const records = await readStdinLines()
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
  await producer.connect()
  // One send of every record: kafkajs groups them into a batch per partition and reports each batch's base offset.
  const results = await producer.send({
    topic,
    acks: -1,
    compression: codec === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None,
    messages: records.map(r => ({ partition: r.partition, key: toBuffer(r.key), value: toBuffer(r.value), headers: headersToObject(r.headers), timestamp: r.timestamp })),
  })
  await producer.disconnect()
  const next = new Map(results.map(r => [r.partition, BigInt(r.baseOffset)]))
  for (const r of records) {
    const offset = next.get(r.partition)
    next.set(r.partition, offset + 1n)
    print({ partition: r.partition, offset: offset.toString() })
  }
}

async function consume(count) {
  const consumer = kafka.consumer({ groupId: `kafkajs-reader-${process.pid}`, maxWaitTimeInMs: 100 })
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  let seen = 0
  await new Promise((resolve, reject) => {
    consumer.run({
      eachMessage: async ({ partition, message }) => {
        if (seen >= count) return
        print(recordLine(partition, message))
        if (++seen === count) resolve()
      },
    }).catch(reject)
  })
  await consumer.disconnect()
}

async function member(group) {
  // kafkajs names its round-robin assignor "RoundRobinAssigner"; renamed, it shares the "roundrobin" protocol with other clients.
  const roundrobin = config => ({ ...PartitionAssigners.roundRobin(config), name: 'roundrobin' })
  const consumer = kafka.consumer({
    groupId: group,
    partitionAssigners: [roundrobin],
    sessionTimeout: 6000,
    heartbeatInterval: 500,
    rebalanceTimeout: 20000,
    maxWaitTimeInMs: 100,
  })
  consumer.on(consumer.events.GROUP_JOIN, e => print({ assigned: e.payload.memberAssignment[topic] || [] }))
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  await consumer.run({ eachMessage: async ({ partition, message }) => print(recordLine(partition, message)) })
  for await (const _ of readline.createInterface({ input: process.stdin })) { /* stdin closing is the signal to leave */ }
  print({ assigned: [] })
  await consumer.disconnect()   // commits what was consumed, then LeaveGroup
  print({ left: true })
}

const commands = { produce: () => produce(arg), consume: () => consume(Number(arg)), member: () => member(arg) }
if (!commands[command]) {
  console.error(`unknown command ${command}`)
  process.exit(2)
}
commands[command]().then(() => process.exit(0), error => {
  console.error(error)
  process.exit(1)
})
