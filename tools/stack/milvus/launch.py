"""Runs the embedded Milvus standalone server of the `milvus` wheel in the foreground, with tracing on.

The wheel's own `milvus-server` CLI picks the health/metrics port itself (first free one from 9091) and kills the
server one second after Ctrl-C; this launcher pins every port it is given and lets Milvus stop gracefully on
SIGTERM/SIGINT, so a supervisor can stop it like any other process.

Its embedded etcd otherwise always listens on 2379/2380, so the launcher gives it an etcd config file with the
ports it is given (read through Milvus's ETCD_CONFIG_PATH environment override).

usage: launch.py --data DIR --port 19530 --health-port 9091 --etcd-port 2379 --etcd-peer-port 2380
                 [--config trace.exporter=otlp ...]
"""

import argparse
import os
import re
import signal
import sys

from milvus import MilvusServer, MilvusServerConfig


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--data', required=True, help='data, config and log folder of the server')
    parser.add_argument('--port', type=int, required=True, help='gRPC port of the proxy')
    parser.add_argument('--health-port', type=int, required=True, help='health/metrics HTTP port')
    parser.add_argument('--etcd-port', type=int, required=True, help='client port of the embedded etcd')
    parser.add_argument('--etcd-peer-port', type=int, required=True, help='peer port of the embedded etcd')
    parser.add_argument('--config', action='append', default=[], metavar='KEY=VALUE',
                        help='a milvus.yaml key (dotted path) present in the wheel\'s template, e.g. trace.exporter=otlp')
    args = parser.parse_args()

    config = MilvusServerConfig()
    server = MilvusServer(config, wait_for_started=False)
    server.set_base_dir(args.data)
    config.set('proxy_port', args.port)
    for item in args.config:
        key, sep, value = item.partition('=')
        if not sep:
            parser.error(f'--config {item!r} is not KEY=VALUE')
        config.set(key, value)
    server.webservice_port = args.health_port

    etcd_config = os.path.join(args.data, 'configs', 'embedEtcd.yaml')
    os.makedirs(os.path.dirname(etcd_config), exist_ok=True)
    client, peer = f'http://127.0.0.1:{args.etcd_port}', f'http://127.0.0.1:{args.etcd_peer_port}'
    with open(etcd_config, 'w', encoding='utf-8') as f:
        f.write(f'listen-client-urls: {client}\nadvertise-client-urls: {client}\n'
                f'listen-peer-urls: {peer}\ninitial-advertise-peer-urls: {peer}\n'
                f'initial-cluster: default={peer}\n')
    os.environ['ETCD_CONFIG_PATH'] = etcd_config

    server.start()
    proc = server.server_proc
    print(f'milvus: pid {proc.pid}, gRPC 127.0.0.1:{args.port}, health http://127.0.0.1:{args.health_port}/healthz, '
          f'config {args.data}/configs/milvus.yaml', flush=True)

    def forward(signum, _frame):
        proc.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    code = proc.wait()
    server.server_proc = None  # already stopped: keep the wheel's stop() from signalling a reaped pid
    server.stop()
    if code not in (0, -signal.SIGTERM):
        report_failure(args.data, code)
    return code


def report_failure(data_dir: str, code: int) -> None:
    """Milvus logs to its own files: bring its errors into this log, where the supervisor looks."""
    log = os.path.join(data_dir, 'logs', 'milvus-stdout.log')
    try:
        with open(log, encoding='utf-8', errors='replace') as f:
            errors = [line for line in f if re.search(r'\[(ERROR|FATAL)\]', line)]
    except OSError:
        errors = []
    print(f'milvus exited with code {code}; errors from {log}:', flush=True)
    for line in errors[-5:]:
        print('  ' + line.strip()[:600], flush=True)


if __name__ == '__main__':
    sys.exit(main())
