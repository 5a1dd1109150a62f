# redis-py as Debian ships it (python3-redis 4.3.4, RESP2 only: no protocol= argument before 5.0),
# driven by redis-py.test.ts: redis.Redis() with default options, execute_command for the tinyqs
# verbs, pipeline(transaction=False), the default pipeline() (MULTI … EXEC) and client_info().
# Prints one JSON object of what it saw; bytes as latin-1.
import inspect
import json
import sys

import redis

port, queue = int(sys.argv[1]), sys.argv[2]


def plain(v):
    """A reply as JSON can carry it: bytes as latin-1 text, lists and maps (RESP3) throughout."""
    if isinstance(v, bytes):
        return v.decode("latin-1")
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, dict):
        return {plain(k): plain(x) for k, x in v.items()}
    return v


def drive(r, queue):
    """The four verbs, STATS and a pipeline over one client; what it saw."""
    out = {}
    body = bytes(range(256))
    out["ping"] = r.ping()
    out["empty"] = r.execute_command("RECEIVE", queue)
    out["id"] = plain(r.execute_command("SEND", queue, body))
    out["peek"] = plain(r.execute_command("PEEK", queue))
    m = r.execute_command("RECEIVE", queue, "VISIBILITY", "60000")
    out["received"] = plain(m)
    out["body_exact"] = m[2] == body
    out["touch"] = r.execute_command("TOUCH", queue, m[1], "VISIBILITY", "30000")
    out["delete"] = r.execute_command("DELETE", queue, m[1])
    out["delete_again"] = r.execute_command("DELETE", queue, m[1])
    out["stats"] = plain(r.execute_command("STATS", queue))

    p = r.pipeline(transaction=False)
    for i in range(20):
        p.execute_command("SEND", queue, f"p{i}")
    p.execute_command("RECEIVE", queue, "COUNT", "20")
    res = p.execute()
    got = res[20]
    p = r.pipeline(transaction=False)
    for msg in got:
        p.execute_command("TOUCH", queue, msg[1])
        p.execute_command("DELETE", queue, msg[1])
    out["pipeline_ids"] = plain(res[:20])
    out["pipeline_bodies"] = [plain(msg[2]) for msg in got]
    out["pipeline_touch_delete"] = p.execute()

    t = r.pipeline()  # the default: transaction=True, sent as MULTI … EXEC
    t.execute_command("SEND", queue, "t1")
    t.execute_command("SEND", queue, "t2")
    t.execute_command("RECEIVE", queue, "COUNT", "2")
    tres = t.execute()
    out["multi_ids"] = plain(tres[:2])
    out["multi_bodies"] = [plain(msg[2]) for msg in tres[2]]
    out["multi_deleted"] = [r.execute_command("DELETE", queue, msg[1]) for msg in tres[2]]
    info = r.client_info()  # parses every field; the integer ones as int
    out["client_info"] = {k: info[k] for k in ("id", "age", "idle", "db", "qbuf", "omem", "tot-mem", "multi")}
    out["hello"] = plain(r.execute_command("HELLO"))
    return out


has_protocol = "protocol" in inspect.signature(redis.Redis.__init__).parameters
result = {"version": redis.__version__, "has_protocol_option": has_protocol}
result["default"] = drive(redis.Redis(host="127.0.0.1", port=port), queue)
if has_protocol:  # redis-py 5 and later: the same over each protocol
    result["resp2"] = drive(redis.Redis(host="127.0.0.1", port=port, protocol=2), queue + ".2")
    result["resp3"] = drive(redis.Redis(host="127.0.0.1", port=port, protocol=3), queue + ".3")
print(json.dumps(result))
