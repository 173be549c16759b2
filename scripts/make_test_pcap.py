# Writes a pcap of synthetic TCP/UDP/ICMP packets between many hosts (for softflowd/pmacctd tests).
import struct, random, sys
random.seed(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
out = open(sys.argv[1], 'wb')
out.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b)//2), b)); s = (s >> 16) + (s & 0xffff); s += s >> 16
    return (~s) & 0xffff
t = 1764300000.0
hosts = ['10.1.0.%d' % i for i in range(1, 40)]
servers = ['93.184.216.34', '8.8.8.8', '1.1.1.1', '140.82.112.3', '151.101.1.69', '10.2.0.5']
def ip(a): return bytes(int(x) for x in a.split('.'))
n = int(sys.argv[3]) if len(sys.argv) > 3 else 20000
for i in range(n):
    src = random.choice(hosts[:5]) if random.random() < 0.6 else random.choice(hosts)
    dst = random.choice(servers)
    r = random.random()
    if r < 0.7: proto, dport = 6, random.choice([443, 443, 80, 22])
    elif r < 0.95: proto, dport = 17, random.choice([53, 123, 443])
    else: proto, dport = 1, 0
    sport = 40000 + (hash(src + dst) % 2000)
    plen = random.choice([40, 52, 576, 1400, 1500])
    if proto == 6: l4 = struct.pack('!HHIIBBHHH', sport, dport, 1, 0, 5 << 4, 0x18, 65535, 0, 0)
    elif proto == 17: l4 = struct.pack('!HHHH', sport, dport, 8, 0)
    else: l4 = struct.pack('!BBHHH', 8, 0, 0, 1, i & 0xffff)
    payload = b'x' * max(0, plen - 20 - len(l4))
    if proto == 17: l4 = struct.pack('!HHHH', sport, dport, 8 + len(payload), 0)
    total = 20 + len(l4) + len(payload)
    iph = struct.pack('!BBHHHBBH4s4s', 0x45, 0, total, i & 0xffff, 0, 64, proto, 0, ip(src), ip(dst))
    iph = iph[:10] + struct.pack('!H', csum(iph)) + iph[12:]
    frame = b'\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\x08\x00' + iph + l4 + payload
    t += random.expovariate(2000)
    out.write(struct.pack('<IIII', int(t), int((t % 1) * 1e6), len(frame), len(frame)) + frame)
