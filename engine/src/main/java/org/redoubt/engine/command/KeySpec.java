package org.redoubt.engine.command;

import org.redoubt.engine.util.Bytes;

/**
 * One Redis 7 key spec: where the keys of a command start (an index, or after a keyword) and
 * how many follow (a range, or a count argument). Drives COMMAND GETKEYS, COMMAND INFO and the
 * cluster slot check for commands whose keys move.
 */
public final class KeySpec {
    public static final int BS_UNKNOWN = 0, BS_INDEX = 1, BS_KEYWORD = 2;
    public static final int FK_UNKNOWN = 0, FK_RANGE = 1, FK_KEYNUM = 2;

    public final String[] flags;
    public final int bsType;
    public final int bsPos;          // index: absolute position
    public final String bsKeyword;   // keyword search
    public final int bsStartFrom;    // keyword search start (negative: from the end)
    public final int fkType;
    public final int a, b, c;        // range: lastkey,step,limit  keynum: keynumidx,firstkey,step

    KeySpec(String encoded) {
        String[] parts = encoded.split(";", -1);
        this.flags = parts[0].isEmpty() ? new String[0] : parts[0].split(",");
        String bs = parts[1];
        if (bs.startsWith("index:")) {
            bsType = BS_INDEX; bsPos = Integer.parseInt(bs.substring(6)); bsKeyword = null; bsStartFrom = 0;
        } else if (bs.startsWith("keyword:")) {
            String[] kw = bs.substring(8).split(",");
            bsType = BS_KEYWORD; bsPos = 0; bsKeyword = kw[0]; bsStartFrom = Integer.parseInt(kw[1]);
        } else {
            bsType = BS_UNKNOWN; bsPos = 0; bsKeyword = null; bsStartFrom = 0;
        }
        String fk = parts[2];
        int[] n = {0, 0, 0};
        if (fk.startsWith("range:")) { fkType = FK_RANGE; parse3(fk.substring(6), n); }
        else if (fk.startsWith("keynum:")) { fkType = FK_KEYNUM; parse3(fk.substring(7), n); }
        else fkType = FK_UNKNOWN;
        a = n[0]; b = n[1]; c = n[2];
    }

    private static void parse3(String s, int[] out) {
        String[] p = s.split(",");
        for (int i = 0; i < 3; i++) out[i] = Integer.parseInt(p[i]);
    }

    /**
     * Adds the argv positions of this spec's keys to {@code out} (as Redis's
     * getKeysUsingKeySpecs does); returns the new count, or -1 when the arguments are invalid
     * for the spec (e.g. a key count larger than the arguments).
     */
    public int findKeys(byte[][] argv, int argc, int[] out, int count) {
        int first;
        if (bsType == BS_INDEX) {
            first = bsPos;
        } else if (bsType == BS_KEYWORD) {
            int start = bsStartFrom >= 0 ? bsStartFrom : argc + bsStartFrom;
            int end = bsStartFrom >= 0 ? argc - 1 : 0;
            int step = bsStartFrom >= 0 ? 1 : -1;
            first = 0;
            for (int i = start; step > 0 ? i <= end : i >= end; i += step) {
                if (i < 0 || i >= argc) break;
                if (Bytes.equalsIgnoreCase(argv[i], bsKeyword)) { first = i + 1; break; }
            }
            if (first == 0) return count;
        } else {
            return count;
        }
        if (first >= argc) return count;
        int last, step;
        if (fkType == FK_RANGE) {
            step = b;
            if (a >= 0) last = first + a;
            else if (c == 0) last = argc + a;
            else last = first + ((argc - first) / c + a);
        } else if (fkType == FK_KEYNUM) {
            int idx = first + a;
            if (idx >= argc) return -1;
            long nk = Bytes.parseLongOrMin(argv[idx]);
            if (nk == Long.MIN_VALUE || nk < 0) return -1;
            first = first + b;
            step = c;
            last = (int) (first + (nk - 1) * step);
            if (nk == 0) return count;
        } else {
            return count;
        }
        if (last >= argc || last < first) {
            return last >= argc ? -1 : count;
        }
        for (int i = first; i <= last; i += step) out[count++] = i;
        return count;
    }
}
