package dev.cifarpipeline.trainer.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * PyTorchSgd against torch.optim.SGD trajectories (tools/reference/sgd_reference.py, Debian's python3-torch):
 * the same fixed gradients, the parameter after every step, in float64 so that only the semantics can differ.
 */
class PyTorchSgdTest {

    private static List<double[]> table(String name) throws IOException {
        List<double[]> rows = new ArrayList<>();
        try (var in = PyTorchSgdTest.class.getResourceAsStream("/reference/" + name)) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    String[] f = line.split(",");
                    double[] row = new double[f.length];
                    for (int i = 0; i < f.length; i++) {
                        row[i] = Double.parseDouble(f[i]);
                    }
                    rows.add(row);
                }
            }
        }
        return rows;
    }

    private static double gradient(int step, int i) {
        return Math.sin(0.7 * step + 1.3 * i) * (1.0 + 0.5 * i) + 0.1 * Math.cos(3.1 * step * (i + 1));
    }

    /** Replays the table's gradients through PyTorchSgd and compares every step's parameter. */
    private static void replay(String table, PyTorchSgdFactory factory) throws IOException {
        List<double[]> rows = table(table);
        double[] current = new double[2]; // lr, momentum of the step being replayed
        PyTorchSgd.Hyperparameters hp = new PyTorchSgd.Hyperparameters() {
            @Override
            public double learningRate() {
                return current[0];
            }

            @Override
            public double momentum() {
                return current[1];
            }
        };
        PyTorchSgd sgd = factory.create(hp);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray weight = manager.create(new double[] {0.5, -0.25, 1.0, -2.0, 0.0, 3.0});
            for (double[] row : rows) {
                int step = (int) row[0];
                current[0] = row[1];
                current[1] = row[2];
                double[] g = new double[6];
                for (int i = 0; i < 6; i++) {
                    g[i] = gradient(step, i);
                }
                try (NDManager stepManager = manager.newSubManager()) {
                    sgd.update("w", weight, stepManager.create(g));
                }
                double[] actual = weight.toDoubleArray();
                for (int i = 0; i < 6; i++) {
                    assertEquals(
                            row[3 + i],
                            actual[i],
                            1e-9 * Math.max(1, Math.abs(row[3 + i])),
                            table + " step " + step + " p" + i);
                }
            }
        }
        assertTrue(rows.size() >= 25);
    }

    interface PyTorchSgdFactory {
        PyTorchSgd create(PyTorchSgd.Hyperparameters hp);
    }

    @Test
    void theSeedsMomentumFreeSgdUnderOneCycleMatchesPyTorch() throws IOException {
        // SGD(lr=1.0, weight_decay=5e-4) built without momentum: OneCycleLR's cycling gives it 0.95..0.85
        replay("sgd-seed-onecycle.csv", hp -> new PyTorchSgd(hp, 5e-4, 0, false));
    }

    @Test
    void nesterovMomentumWithWeightDecayMatchesPyTorch() throws IOException {
        replay("sgd-nesterov.csv", hp -> new PyTorchSgd(hp, 1e-3, 0, true));
    }

    @Test
    void dampenedMomentumMatchesPyTorch() throws IOException {
        replay("sgd-dampening.csv", hp -> new PyTorchSgd(hp, 0, 0.3, false));
    }

    @Test
    void nesterovWithDampeningIsRefusedAsPyTorchDoes() {
        PyTorchSgd.Hyperparameters hp = new PyTorchSgd.Hyperparameters() {
            @Override
            public double learningRate() {
                return 0.1;
            }

            @Override
            public double momentum() {
                return 0.9;
            }
        };
        assertThrows(IllegalArgumentException.class, () -> new PyTorchSgd(hp, 0, 0.1, true));
    }
}
