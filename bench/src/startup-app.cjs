// The app whose start-up is measured: loads Express and the Milvus SDK, builds a client and a route, then exits.
const express = require('express');
const { MilvusClient } = require('@zilliz/milvus2-sdk-node');
const app = express();
const client = new MilvusClient({ address: process.env.MILVUS_ADDRESS });
app.get('/', (_req, res) => res.send('ok'));
process.stdout.write(`ready ${typeof client.search}\n`);
process.exit(0);
