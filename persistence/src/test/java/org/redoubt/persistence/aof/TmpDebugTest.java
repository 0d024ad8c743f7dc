package org.redoubt.persistence.aof;

import java.nio.file.Path;
import java.util.*;
import java.util.concurrent.atomic.*;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.redoubt.engine.Client;

class TmpDebugTest {
    @TempDir Path dir;

    @org.junit.jupiter.api.RepeatedTest(4)
    void debug() throws Exception {
        java.nio.file.Files.walk(dir).sorted(Comparator.reverseOrder()).filter(p -> !p.equals(dir)).forEach(p -> p.toFile().delete());
        try (AofHarness h = new AofHarness(dir, "appendonly yes\naof-use-rdb-preamble no\n")) {
            h.start();
            AofRoundTripTestAccess.populate(h);
            for (int i = 0; i < 2000; i++) h.exec("SET", "key:" + i, "v" + i);
            h.exec("CONFIG", "SET", "rdb-key-save-delay", "300");
            AtomicBoolean stop = new AtomicBoolean();
            Client other = h.newClient();
            Thread writer = new Thread(() -> {
                try {
                    for (int i = 0; !stop.get(); i++) {
                        h.exec(other, "SET", "key:" + (i % 3000), "w" + i);
                        h.exec(other, "INCR", "counter");
                        h.exec(other, "RPUSH", "growing", "e" + i);
                        if (i % 50 == 0) h.exec(other, "DEL", "key:" + (i % 700));
                    }
                } catch (Exception e) { throw new RuntimeException(e); }
            });
            writer.start();
            Thread.sleep(50);
            h.exec("BGREWRITEAOF");
            h.waitRewrite();
            Thread.sleep(50);
            stop.set(true);
            writer.join();
            h.exec("CONFIG", "SET", "rdb-key-save-delay", "0");
            Map<String,Object> before = new TreeMap<>();
            for (Object k : (List<?>) h.exec("KEYS", "*")) before.put((String) k, dump(h, (String) k));
            System.out.println("DIGEST1 " + h.exec("DEBUG", "DIGEST") + " keys " + before.size());
            h.exec("DEBUG", "LOADAOF");
            System.out.println("DIGEST2 " + h.exec("DEBUG", "DIGEST"));
            Map<String,Object> after = new TreeMap<>();
            for (Object k : (List<?>) h.exec("KEYS", "*")) after.put((String) k, dump(h, (String) k));
            int shown = 0;
            for (String k : new TreeSet<>(union(before.keySet(), after.keySet()))) {
                if (!Objects.equals(before.get(k), after.get(k)) && shown++ < 10) {
                    String b = String.valueOf(before.get(k)), a = String.valueOf(after.get(k));
                    System.out.println("DIFF " + k + " before=" + b.substring(0, Math.min(200, b.length())) + " after=" + a.substring(0, Math.min(200, a.length())));
                }
            }
            System.out.println("DIFFS " + shown);
            h.crash();
        }
    }
    static Set<String> union(Set<String> a, Set<String> b) { Set<String> s = new HashSet<>(a); s.addAll(b); return s; }
    static Object dump(AofHarness h, String k) throws Exception {
        String t = (String) h.exec("TYPE", k);
        if (t.equals("hash")) return h.exec("HGETALL", k);
        if (t.equals("set")) return new TreeSet<Object>((List<?>) h.exec("SMEMBERS", k));
        if (t.equals("zset")) return h.exec("ZRANGE", k, "0", "-1", "WITHSCORES");
        if (t.equals("stream")) return h.exec("XRANGE", k, "-", "+") + " " + h.exec("XINFO", "STREAM", k);
        if (t.equals("list")) { List<?> l = (List<?>) h.exec("LRANGE", k, "0", "-1"); return "len=" + l.size() + " first=" + l.get(0) + " last=" + l.get(l.size()-1); }
        return h.exec("GET", k) + " ttl=" + h.exec("PTTL", k);
    }
}
