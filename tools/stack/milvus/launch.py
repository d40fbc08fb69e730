"""Runs the embedded Milvus standalone server of the `milvus` wheel in the foreground, with tracing on.

The wheel's own `milvus-server` CLI picks the health/metrics port itself (first free one from 9091) and kills the
server one second after Ctrl-C; this launcher pins every port it is given and lets Milvus stop gracefully on
SIGTERM/SIGINT, so a supervisor can stop it like any other process.

Its embedded etcd otherwise always listens on 2379/2380, so the launcher gives it an etcd config file with the
ports it is given (read through Milvus's ETCD_CONFIG_PATH environment override).

The server's internal components (root coord, query coord, data node, ...) talk to each other over gRPC at the
address each registers in etcd: by default the machine's first non-loopback address, and ports the wheel probes for.
The launcher pins both: every component advertises --ip (127.0.0.1) and listens on the --internal-port given, so
the stack speaks over loopback only and two stacks on one machine never pick the same port.

usage: launch.py --data DIR --port 19530 --health-port 9091 --etcd-port 2379 --etcd-peer-port 2380
                 [--ip 127.0.0.1] [--internal-port root_coord_port=53100 ...] [--config trace.exporter=otlp ...]
"""

import argparse
import os
import re
import signal
import socket
import sys

from milvus import MilvusServer, MilvusServerConfig


# The sections of the wheel's milvus.yaml whose `ip:` a component advertises (empty: the first non-loopback address).
COMPONENTS = ('rootCoord', 'proxy', 'queryCoord', 'queryNode', 'indexNode', 'dataCoord', 'dataNode')


class PinnedPortsConfig(MilvusServerConfig):
    """The wheel's config with every port exactly as given.

    The wheel resolves each port by binding it itself (a plain bind, without SO_REUSEADDR) and, when that fails,
    silently takes the next free one. A port that merely has connections in TIME_WAIT (a restart within a minute of a
    stop) fails such a bind: the proxy then moved to 19531, the etcd client to the etcd peer port 2380, and Milvus
    crashed. The stack checks that its ports are free before it starts, and Milvus binds them with SO_REUSEADDR.
    """

    def resolve_all_listen_ports(self):
        for key in (k for k in self.configurable_items if k.endswith('_port')):
            port = self.configurable_items[key][1]
            if not port:
                raise RuntimeError(f'{key} is not set: pass it with --internal-port {key}=PORT')
            self.listen_ports[key] = (port, None)

    def resolve_port(self, port_start: int):
        return port_start, socket.socket()  # the caller closes it at once


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--data', required=True, help='data, config and log folder of the server')
    parser.add_argument('--port', type=int, required=True, help='gRPC port of the proxy')
    parser.add_argument('--health-port', type=int, required=True, help='health/metrics HTTP port')
    parser.add_argument('--etcd-port', type=int, required=True, help='client port of the embedded etcd')
    parser.add_argument('--etcd-peer-port', type=int, required=True, help='peer port of the embedded etcd')
    parser.add_argument('--ip', default='127.0.0.1', help='address every internal component advertises')
    parser.add_argument('--internal-port', action='append', default=[], metavar='KEY=PORT',
                        help='an internal port of the wheel\'s config template, e.g. root_coord_port=53100')
    parser.add_argument('--config', action='append', default=[], metavar='KEY=VALUE',
                        help='a milvus.yaml key (dotted path) present in the wheel\'s template, e.g. trace.exporter=otlp')
    args = parser.parse_args()

    config = PinnedPortsConfig()
    server = MilvusServer(config, wait_for_started=False)
    server.set_base_dir(args.data)
    config.set('proxy_port', args.port)
    config.set('etcd_port', args.etcd_port)
    config.set('etcd.endpoints', f'127.0.0.1:{args.etcd_port}')
    for item in args.internal_port:
        key, sep, value = item.partition('=')
        if not sep or key not in config.configurable_items or not key.endswith('_port'):
            parser.error(f'--internal-port {item!r} is not <port key of the wheel template>=PORT')
        config.set(key, int(value))
    for component in COMPONENTS:
        config.set(f'{component}.ip', args.ip)
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
    internal = ', '.join(args.internal_port) or 'probed ports'
    print(f'milvus: pid {proc.pid}, gRPC 127.0.0.1:{args.port}, health http://127.0.0.1:{args.health_port}/healthz, '
          f'components on {args.ip} ({internal}), config {args.data}/configs/milvus.yaml', flush=True)

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
