import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.admin.UserScramCredentialsDescription;
import org.apache.kafka.common.Node;

/**
 * Readiness probe used by tools/infra.sh: waits until the broker at BOOTSTRAP serves
 * cluster metadata (brokers and an active controller) and can list topics. With USER and PASSWORD,
 * it then gives USER SCRAM-SHA-512 and SCRAM-SHA-256 credentials with PASSWORD if the cluster
 * metadata has none for a mechanism (KRaft keeps them there; the storage format adds them too).
 *
 * Usage: java -cp 'libs/*:classes' KafkaReady BOOTSTRAP TIMEOUT_SECONDS [PID [USER PASSWORD]]
 * Exit codes: 0 ready, 1 timed out, 2 the process PID exited, 3 the SCRAM credentials failed.
 */
public final class KafkaReady {
    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[1]));
        long pid = args.length > 2 ? Long.parseLong(args[2]) : -1;
        String scramUser = args.length > 4 ? args[3] : null;
        String scramPassword = args.length > 4 ? args[4] : null;

        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 4000);
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, 200);
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "infra-ready");

        String last = "no attempt";
        try (Admin admin = Admin.create(props)) {
            while (true) {
                if (pid > 0 && ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true)) {
                    System.err.println("kafka process " + pid + " exited; last error: " + last);
                    System.exit(2);
                }
                try {
                    var cluster = admin.describeCluster(new DescribeClusterOptions().timeoutMs(4000));
                    Collection<Node> nodes = cluster.nodes().get(5, TimeUnit.SECONDS);
                    Node controller = cluster.controller().get(5, TimeUnit.SECONDS);
                    admin.listTopics(new ListTopicsOptions().timeoutMs(4000).listInternal(true))
                        .names().get(5, TimeUnit.SECONDS);
                    if (!nodes.isEmpty() && controller != null && !controller.isEmpty()) {
                        System.out.println("ready: cluster " + cluster.clusterId().get() + ", brokers " + nodes);
                        if (scramUser != null) ensureScram(admin, scramUser, scramPassword);
                        System.exit(0);
                    }
                    last = "no brokers or controller in metadata yet";
                } catch (Exception e) {
                    Throwable c = e.getCause() != null ? e.getCause() : e;
                    last = c.getClass().getSimpleName() + ": " + c.getMessage();
                }
                if (System.nanoTime() > deadline) {
                    System.err.println("kafka at " + bootstrap + " not ready: " + last);
                    System.exit(1);
                }
                Thread.sleep(Duration.ofMillis(300).toMillis());
            }
        }
    }

    private static void ensureScram(Admin admin, String user, String password) {
        try {
            List<ScramMechanism> have = new ArrayList<>();
            UserScramCredentialsDescription existing =
                admin.describeUserScramCredentials().all().get(10, TimeUnit.SECONDS).get(user);
            if (existing != null) existing.credentialInfos().forEach(info -> have.add(info.mechanism()));
            for (ScramMechanism mechanism : List.of(ScramMechanism.SCRAM_SHA_512, ScramMechanism.SCRAM_SHA_256)) {
                if (have.contains(mechanism)) continue;
                // One alteration per request: the broker refuses two for the same user in one.
                UserScramCredentialAlteration upsert =
                    new UserScramCredentialUpsertion(user, new ScramCredentialInfo(mechanism, 8192), password);
                admin.alterUserScramCredentials(List.of(upsert)).all().get(10, TimeUnit.SECONDS);
                System.out.println("scram: added " + mechanism + " credentials for " + user);
            }
        } catch (Exception e) {
            Throwable c = e.getCause() != null ? e.getCause() : e;
            System.err.println("kafka: could not set the SCRAM credentials of " + user + ": " + c);
            System.exit(3);
        }
    }
}
