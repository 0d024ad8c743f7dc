package org.redoubt.persistence.aof;
final class AofRoundTripTestAccess { static void populate(AofHarness h) throws Exception { AofRoundTripTest.populate(h); } }
