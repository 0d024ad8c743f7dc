package org.redoubt.engine.commands;

import java.util.ArrayList;
import java.util.List;
import org.redoubt.engine.Client;
import org.redoubt.engine.CommandFamily;
import org.redoubt.engine.Engine;
import org.redoubt.engine.Errors;
import org.redoubt.engine.PubSub;
import org.redoubt.engine.Tracking;
import org.redoubt.engine.command.CommandSpec;
import org.redoubt.engine.command.CommandTable;
import org.redoubt.engine.util.Bytes;
import org.redoubt.protocol.Numbers;

/**
 * Pub/sub commands (Redis's pubsub.c) and the client-side caching subcommands of CLIENT
 * (TRACKING, CACHING, GETREDIR, TRACKINGINFO, from networking.c). The state lives in
 * {@link PubSub} and {@link Tracking}; this family also installs their hooks: keyspace
 * notification delivery, the RESP2 subscriber restrictions, tracking-table-max-keys
 * enforcement before each command, and the clean-up of a closed or RESET connection.
 */
public final class PubSubCommands implements CommandFamily {
    static final String REDIRECT_TWICE = "ERR A client can only redirect to a single other client";
    static final String REDIRECT_MISSING = "ERR The client ID you want redirect to does not exist";
    static final String PREFIX_WITHOUT_BCAST = "ERR PREFIX option requires BCAST mode to be enabled";
    static final String BCAST_SWITCH = "ERR You can't switch BCAST mode on/off before disabling tracking for this client, "
        + "and then re-enabling it with a different mode.";
    static final String OPT_WITH_BCAST = "ERR OPTIN and OPTOUT are not compatible with BCAST";
    static final String OPTIN_AND_OPTOUT = "ERR You can't specify both OPTIN mode and OPTOUT mode";
    static final String OPT_SWITCH = "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, "
        + "and then re-enabling it with a different mode.";
    static final String CACHING_NOT_TRACKING = "ERR CLIENT CACHING can be called only when the client is in tracking mode "
        + "with OPTIN or OPTOUT mode enabled";
    static final String CACHING_YES = "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.";
    static final String CACHING_NO = "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.";

    private PubSub pubsub;
    private Tracking tracking;
    /** What a RESP2 subscriber may still run. */
    private CommandSpec[] allowedWhileSubscribed;

    @Override
    public void register(CommandTable t, Engine e) {
        pubsub = e.pubsub;
        tracking = e.tracking;
        t.bind("subscribe", this::subscribe);
        t.bind("unsubscribe", this::unsubscribe);
        t.bind("psubscribe", this::psubscribe);
        t.bind("punsubscribe", this::punsubscribe);
        t.bind("ssubscribe", this::ssubscribe);
        t.bind("sunsubscribe", this::sunsubscribe);
        t.bind("publish", this::publish);
        t.bind("spublish", this::spublish);
        t.bind("pubsub|help", this::pubsubHelp);
        t.bind("pubsub|channels", this::channels);
        t.bind("pubsub|shardchannels", this::shardchannels);
        t.bind("pubsub|numsub", this::numsub);
        t.bind("pubsub|shardnumsub", this::shardnumsub);
        t.bind("pubsub|numpat", this::numpat);
        t.bind("client|tracking", this::clientTracking);
        t.bind("client|caching", this::clientCaching);
        t.bind("client|getredir", this::clientGetredir);
        t.bind("client|trackinginfo", this::clientTrackinginfo);

        allowedWhileSubscribed = new CommandSpec[] {
            t.find("ping"), t.find("subscribe"), t.find("ssubscribe"), t.find("unsubscribe"), t.find("sunsubscribe"),
            t.find("psubscribe"), t.find("punsubscribe"), t.find("quit"), t.find("reset"),
        };
        tracking.evalRo = t.find("eval_ro");
        tracking.evalshaRo = t.find("evalsha_ro");
        tracking.fcallRo = t.find("fcall_ro");
        tracking.clientContainer = t.find("client");

        e.keyListeners.add(tracking::keyModified);
        e.preChecks.add(this::beforeCommand);
        e.notifyListeners.add(pubsub::keyspaceEvent);
        e.clientHooks.add(new Hooks(pubsub, tracking));
        e.infoContributors.add(this::info);
    }

    /** A closed or RESET connection: no subscription and no tracking left. */
    private static final class Hooks implements Engine.ClientHook, ConnectionCommands.ResetHook {
        private final PubSub pubsub;
        private final Tracking tracking;

        Hooks(PubSub pubsub, Tracking tracking) {
            this.pubsub = pubsub;
            this.tracking = tracking;
        }

        @Override public void closed(Client c) {
            pubsub.unsubscribeEverything(c);
            tracking.disable(c);
        }

        @Override public void reset(Client c) {
            tracking.disable(c);
            pubsub.unsubscribeEverything(c);
        }
    }

    /**
     * Before every command: tracking-table-max-keys is enforced (the cron does it too), and a
     * RESP2 connection with subscriptions can only (un)subscribe, PING, QUIT or RESET.
     */
    private boolean beforeCommand(Client c, CommandSpec cmd) {
        if (tracking.trackingClients() > 0) tracking.limitUsedSlots();
        if (!c.has(Client.F_PUBSUB) || c.resp != 2) return true;
        for (CommandSpec ok : allowedWhileSubscribed) if (cmd == ok) return true;
        c.engine.reject(c, cmd, "ERR Can't execute '" + cmd.fullName
            + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context");
        return false;
    }

    private boolean info(String section, StringBuilder sb) {
        if (!section.equals("stats")) return false;
        sb.append("pubsub_channels:").append(pubsub.serverChannels()).append("\r\n");
        sb.append("pubsub_patterns:").append(pubsub.serverPatterns()).append("\r\n");
        sb.append("pubsubshard_channels:").append(pubsub.serverShardChannels()).append("\r\n");
        sb.append("tracking_total_keys:").append(tracking.totalKeys()).append("\r\n");
        sb.append("tracking_total_items:").append(tracking.totalItems()).append("\r\n");
        sb.append("tracking_total_prefixes:").append(tracking.totalPrefixes()).append("\r\n");
        return true;
    }

    // =====================================================================================
    // SUBSCRIBE family
    // =====================================================================================

    void subscribe(Client c) {
        // Inside EXEC a client cannot block, yet SUBSCRIBE has always worked in MULTI.
        if (c.has(Client.F_DENY_BLOCKING) && !c.has(Client.F_MULTI)) {
            c.addError("ERR SUBSCRIBE isn't allowed for a DENY BLOCKING client");
            return;
        }
        for (int j = 1; j < c.argc; j++) pubsub.subscribe(c, c.argv[j], false);
        c.flags |= Client.F_PUBSUB;
    }

    void unsubscribe(Client c) {
        if (c.argc == 1) pubsub.unsubscribeAll(c, true, false);
        else for (int j = 1; j < c.argc; j++) pubsub.unsubscribe(c, c.argv[j], true, false);
        if (PubSub.totalCount(c) == 0) c.flags &= ~Client.F_PUBSUB;
    }

    void psubscribe(Client c) {
        if (c.has(Client.F_DENY_BLOCKING) && !c.has(Client.F_MULTI)) {
            c.addError("ERR PSUBSCRIBE isn't allowed for a DENY BLOCKING client");
            return;
        }
        for (int j = 1; j < c.argc; j++) pubsub.psubscribe(c, c.argv[j]);
        c.flags |= Client.F_PUBSUB;
    }

    void punsubscribe(Client c) {
        if (c.argc == 1) pubsub.punsubscribeAll(c, true);
        else for (int j = 1; j < c.argc; j++) pubsub.punsubscribe(c, c.argv[j], true);
        if (PubSub.totalCount(c) == 0) c.flags &= ~Client.F_PUBSUB;
    }

    void ssubscribe(Client c) {
        if (c.has(Client.F_DENY_BLOCKING)) {
            c.addError("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client");
            return;
        }
        for (int j = 1; j < c.argc; j++) pubsub.subscribe(c, c.argv[j], true);
        c.flags |= Client.F_PUBSUB;
    }

    void sunsubscribe(Client c) {
        if (c.argc == 1) pubsub.unsubscribeAll(c, true, true);
        else for (int j = 1; j < c.argc; j++) pubsub.unsubscribe(c, c.argv[j], true, true);
        if (PubSub.totalCount(c) == 0) c.flags &= ~Client.F_PUBSUB;
    }

    void publish(Client c) {
        int receivers = pubsub.publish(c.argv[1], c.argv[2], false);
        // Replicas deliver to their own subscribers: PUBLISH goes down the replication link.
        c.flags |= Client.F_FORCE_REPL;
        c.addLong(receivers);
    }

    void spublish(Client c) {
        int receivers = pubsub.publish(c.argv[1], c.argv[2], true);
        c.flags |= Client.F_FORCE_REPL;
        c.addLong(receivers);
    }

    // =====================================================================================
    // PUBSUB
    // =====================================================================================

    void pubsubHelp(Client c) {
        c.addHelp("PUBSUB",
            "CHANNELS [<pattern>]",
            "    Return the currently active channels matching a <pattern> (default: '*').",
            "NUMPAT",
            "    Return number of subscriptions to patterns.",
            "NUMSUB [<channel> ...]",
            "    Return the number of subscribers for the specified channels, excluding",
            "    pattern subscriptions(default: no channels).",
            "SHARDCHANNELS [<pattern>]",
            "    Return the currently active shard level channels matching a <pattern> (default: '*').",
            "SHARDNUMSUB [<shardchannel> ...]",
            "    Return the number of subscribers for the specified shard level channel(s)");
    }

    void channels(Client c) { channelList(c, false); }

    void shardchannels(Client c) { channelList(c, true); }

    private void channelList(Client c, boolean shard) {
        if (c.argc > 3) {
            c.addSubcommandSyntaxError();
            return;
        }
        c.addBulkArray(pubsub.channelList(c.argc == 3 ? c.argv[2] : null, shard));
    }

    void numsub(Client c) { numsub(c, false); }

    void shardnumsub(Client c) { numsub(c, true); }

    private void numsub(Client c, boolean shard) {
        c.addArrayLen((c.argc - 2) * 2L);
        for (int j = 2; j < c.argc; j++) {
            c.addBulk(c.argv[j]);
            c.addLong(pubsub.subscribers(c.argv[j], shard));
        }
    }

    void numpat(Client c) {
        c.addLong(pubsub.serverPatterns());
    }

    // =====================================================================================
    // CLIENT TRACKING / CACHING / GETREDIR / TRACKINGINFO
    // =====================================================================================

    void clientTracking(Client c) {
        long redirect = 0;
        int options = 0;
        List<byte[]> prefixes = new ArrayList<>();
        for (int j = 3; j < c.argc; j++) {
            boolean more = j + 1 < c.argc;
            byte[] opt = c.argv[j];
            if (Bytes.equalsIgnoreCase(opt, "redirect") && more) {
                j++;
                if (redirect != 0) {
                    c.addError(REDIRECT_TWICE);
                    return;
                }
                byte[] a = c.argv[j];
                if (!Numbers.isLong(a)) {
                    c.addError(Errors.NOT_INTEGER);
                    return;
                }
                redirect = Numbers.parseLong(a);
                if (!c.engine.clients.containsKey(redirect)) {
                    c.addError(REDIRECT_MISSING);
                    return;
                }
            } else if (Bytes.equalsIgnoreCase(opt, "bcast")) {
                options |= Tracking.BCAST;
            } else if (Bytes.equalsIgnoreCase(opt, "optin")) {
                options |= Tracking.OPTIN;
            } else if (Bytes.equalsIgnoreCase(opt, "optout")) {
                options |= Tracking.OPTOUT;
            } else if (Bytes.equalsIgnoreCase(opt, "noloop")) {
                options |= Tracking.NOLOOP;
            } else if (Bytes.equalsIgnoreCase(opt, "prefix") && more) {
                prefixes.add(c.argv[++j]);
            } else {
                c.addError(Errors.SYNTAX);
                return;
            }
        }
        byte[] onOff = c.argv[2];
        if (Bytes.equalsIgnoreCase(onOff, "on")) {
            if ((options & Tracking.BCAST) == 0 && !prefixes.isEmpty()) {
                c.addError(PREFIX_WITHOUT_BCAST);
                return;
            }
            int current = Tracking.opts(c);
            if (c.has(Client.F_TRACKING) && ((current & Tracking.BCAST) != 0) != ((options & Tracking.BCAST) != 0)) {
                c.addError(BCAST_SWITCH);
                return;
            }
            if ((options & Tracking.BCAST) != 0 && (options & (Tracking.OPTIN | Tracking.OPTOUT)) != 0) {
                c.addError(OPT_WITH_BCAST);
                return;
            }
            if ((options & Tracking.OPTIN) != 0 && (options & Tracking.OPTOUT) != 0) {
                c.addError(OPTIN_AND_OPTOUT);
                return;
            }
            if (((options & Tracking.OPTIN) != 0 && (current & Tracking.OPTOUT) != 0)
                || ((options & Tracking.OPTOUT) != 0 && (current & Tracking.OPTIN) != 0)) {
                c.addError(OPT_SWITCH);
                return;
            }
            if ((options & Tracking.BCAST) != 0) {
                String err = tracking.prefixCollision(c, prefixes);
                if (err != null) {
                    c.addError(err);
                    return;
                }
            }
            tracking.enable(c, redirect, options, prefixes);
        } else if (Bytes.equalsIgnoreCase(onOff, "off")) {
            tracking.disable(c);
        } else {
            c.addError(Errors.SYNTAX);
            return;
        }
        c.addOk();
    }

    void clientCaching(Client c) {
        if (!c.has(Client.F_TRACKING)) {
            c.addError(CACHING_NOT_TRACKING);
            return;
        }
        Tracking.State s = Tracking.state(c);
        byte[] a = c.argv[2];
        if (Bytes.equalsIgnoreCase(a, "yes")) {
            if ((s.opts & Tracking.OPTIN) == 0) {
                c.addError(CACHING_YES);
                return;
            }
        } else if (Bytes.equalsIgnoreCase(a, "no")) {
            if ((s.opts & Tracking.OPTOUT) == 0) {
                c.addError(CACHING_NO);
                return;
            }
        } else {
            c.addError(Errors.SYNTAX);
            return;
        }
        // Applies to the next command (or transaction) only; the dispatcher clears it.
        s.opts |= Tracking.CACHING;
        c.addOk();
    }

    void clientGetredir(Client c) {
        c.addLong(Tracking.redirection(c));
    }

    void clientTrackinginfo(Client c) {
        int opts = Tracking.opts(c);
        List<String> flags = new ArrayList<>(6);
        flags.add(c.has(Client.F_TRACKING) ? "on" : "off");
        if ((opts & Tracking.BCAST) != 0) flags.add("bcast");
        if ((opts & Tracking.OPTIN) != 0) {
            flags.add("optin");
            if ((opts & Tracking.CACHING) != 0) flags.add("caching-yes");
        }
        if ((opts & Tracking.OPTOUT) != 0) {
            flags.add("optout");
            if ((opts & Tracking.CACHING) != 0) flags.add("caching-no");
        }
        if ((opts & Tracking.NOLOOP) != 0) flags.add("noloop");
        if ((opts & Tracking.BROKEN_REDIR) != 0) flags.add("broken_redirect");
        c.addMapLen(3);
        c.addBulk("flags");
        c.addSetLen(flags.size());
        for (String f : flags) c.addBulk(f);
        c.addBulk("redirect");
        c.addLong(Tracking.redirection(c));
        c.addBulk("prefixes");
        c.addBulkArray(tracking.prefixesOf(c));
    }
}
