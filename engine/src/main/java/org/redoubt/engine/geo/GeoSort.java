package org.redoubt.engine.geo;

/**
 * The two orders Redis gives search results by distance, reproduced exactly including ties:
 * a full sort is glibc's qsort, a stable merge sort (so any stable sort gives the same order);
 * a sort of only the first COUNT results is Redis's pqsort, Bentley and McIlroy's quicksort
 * that skips partitions outside the wanted range, whose handling of equal distances this class
 * follows step by step (same pivot choices, same swaps).
 *
 * <p>Both sort a permutation {@code idx} of result indices by {@code dist[idx[i]]}, ascending,
 * or descending when {@code desc} (ties compare equal either way).
 */
public final class GeoSort {
    private GeoSort() {}

    private static int cmp(double[] dist, int a, int b, boolean desc) {
        double x = dist[a], y = dist[b];
        int r = x > y ? 1 : x == y ? 0 : -1;
        return desc ? -r : r;
    }

    /** Stable sort of idx[0, n). */
    public static void stable(int[] idx, int n, double[] dist, boolean desc) {
        if (n < 2) return;
        int[] tmp = new int[n];
        mergeSort(idx, tmp, 0, n, dist, desc);
    }

    private static void mergeSort(int[] a, int[] tmp, int lo, int hi, double[] dist, boolean desc) {
        if (hi - lo < 2) return;
        int mid = lo + (hi - lo) / 2;
        mergeSort(a, tmp, lo, mid, dist, desc);
        mergeSort(a, tmp, mid, hi, dist, desc);
        int i = lo, j = mid, k = lo;
        while (i < mid && j < hi) tmp[k++] = cmp(dist, a[i], a[j], desc) <= 0 ? a[i++] : a[j++];
        while (i < mid) tmp[k++] = a[i++];
        while (j < hi) tmp[k++] = a[j++];
        System.arraycopy(tmp, lo, a, lo, hi - lo);
    }

    /** Redis's pqsort of idx[0, n) so that positions [lrange, rrange] hold their sorted elements. */
    public static void partial(int[] idx, int n, double[] dist, boolean desc, int lrange, int rrange) {
        pq(idx, 0, n, dist, desc, lrange, rrange);
    }

    private static void swap(int[] a, int i, int j) {
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }

    private static void vecswap(int[] a, int i, int j, int n) {
        for (int k = 0; k < n; k++) swap(a, i + k, j + k);
    }

    private static int med3(int[] x, int a, int b, int c, double[] d, boolean desc) {
        return cmp(d, x[a], x[b], desc) < 0
            ? (cmp(d, x[b], x[c], desc) < 0 ? b : (cmp(d, x[a], x[c], desc) < 0 ? c : a))
            : (cmp(d, x[b], x[c], desc) > 0 ? b : (cmp(d, x[a], x[c], desc) < 0 ? a : c));
    }

    private static void pq(int[] x, int a, int n, double[] d, boolean desc, int lr, int rr) {
        while (true) {
            if (n < 7) {
                for (int pm = a + 1; pm < a + n; pm++) {
                    for (int pl = pm; pl > a && cmp(d, x[pl - 1], x[pl], desc) > 0; pl--) swap(x, pl, pl - 1);
                }
                return;
            }
            int pm = a + n / 2;
            if (n > 7) {
                int pl = a, pn = a + n - 1;
                if (n > 40) {
                    int s = n / 8;
                    pl = med3(x, pl, pl + s, pl + 2 * s, d, desc);
                    pm = med3(x, pm - s, pm, pm + s, d, desc);
                    pn = med3(x, pn - 2 * s, pn - s, pn, d, desc);
                }
                pm = med3(x, pl, pm, pn, d, desc);
            }
            swap(x, a, pm);
            int pa = a + 1, pb = pa;
            int pc = a + n - 1, pd = pc;
            while (true) {
                int r;
                while (pb <= pc && (r = cmp(d, x[pb], x[a], desc)) <= 0) {
                    if (r == 0) {
                        swap(x, pa, pb);
                        pa++;
                    }
                    pb++;
                }
                while (pb <= pc && (r = cmp(d, x[pc], x[a], desc)) >= 0) {
                    if (r == 0) {
                        swap(x, pc, pd);
                        pd--;
                    }
                    pc--;
                }
                if (pb > pc) break;
                swap(x, pb, pc);
                pb++;
                pc--;
            }
            int pn = a + n;
            int r = Math.min(pa - a, pb - pa);
            vecswap(x, a, pb - r, r);
            r = Math.min(pd - pc, pn - pd - 1);
            vecswap(x, pb, pn - r, r);
            if ((r = pb - pa) > 1) {
                if (overlaps(a, r, lr, rr)) pq(x, a, r, d, desc, lr, rr);
            }
            if ((r = pd - pc) > 1) {
                a = pn - r;
                n = r;
                if (overlaps(a, n, lr, rr)) continue;
            }
            return;
        }
    }

    /** Whether [s, s+len) meets [lr, rr]: pqsort only sorts partitions that do. */
    private static boolean overlaps(int s, int len, int lr, int rr) {
        return !(rr < s || lr >= s + len);
    }
}
