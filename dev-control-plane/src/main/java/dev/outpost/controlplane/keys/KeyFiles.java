package dev.outpost.controlplane.keys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * A key pair kept as two PEM files in the data directory ({@code NAME.key}, PKCS#8, owner-only;
 * {@code NAME.pub}, X.509 SubjectPublicKeyInfo), generated on first use so that restarts keep the
 * same keys and agents keep trusting them.
 */
public final class KeyFiles {
  private KeyFiles() {}

  /**
   * Loads the pair, or generates and stores it if absent.
   *
   * @param algorithm a JDK key algorithm: {@code Ed25519}, {@code RSA}
   * @param bits key size for RSA; ignored otherwise
   */
  public static KeyPair loadOrGenerate(Path dir, String name, String algorithm, int bits)
      throws IOException, GeneralSecurityException {
    Path privateFile = dir.resolve(name + ".key");
    Path publicFile = dir.resolve(name + ".pub");
    KeyFactory factory = KeyFactory.getInstance(algorithm);
    if (Files.isRegularFile(privateFile) && Files.isRegularFile(publicFile)) {
      PrivateKey privateKey = factory.generatePrivate(new PKCS8EncodedKeySpec(readPem(privateFile)));
      PublicKey publicKey = factory.generatePublic(new X509EncodedKeySpec(readPem(publicFile)));
      return new KeyPair(publicKey, privateKey);
    }
    KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
    if ("RSA".equals(algorithm)) {
      generator.initialize(bits);
    }
    KeyPair pair = generator.generateKeyPair();
    Files.createDirectories(dir);
    Path temp = Files.createTempFile(dir, ".key-", ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(temp, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
    Files.move(temp, privateFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    Files.writeString(publicFile, pem("PUBLIC KEY", pair.getPublic().getEncoded()));
    return pair;
  }

  public static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  private static byte[] readPem(Path file) throws IOException {
    String body = Files.readString(file).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return Base64.getDecoder().decode(body);
  }
}
