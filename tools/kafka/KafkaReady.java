import java.time.Duration;
import java.util.Collection;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.common.Node;

/**
 * Readiness probe used by tools/infra.sh: waits until the broker at BOOTSTRAP serves
 * cluster metadata (brokers and an active controller) and can list topics.
 *
 * Usage: java -cp 'libs/*:classes' KafkaReady BOOTSTRAP TIMEOUT_SECONDS [PID]
 * Exit codes: 0 ready, 1 timed out, 2 the process PID exited.
 */
public final class KafkaReady {
    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[1]));
        long pid = args.length > 2 ? Long.parseLong(args[2]) : -1;

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
}
