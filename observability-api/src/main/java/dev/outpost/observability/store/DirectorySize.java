package dev.outpost.observability.store;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.function.Predicate;

/** The bytes a directory's files hold on disk. */
public final class DirectorySize {

  private DirectorySize() {}

  /**
   * Bytes the files under {@code dir} hold. A file or directory deleted while it is walked (a merge,
   * a commit, retention dropping a day) counts nothing: failing the walk for it answered 503.
   */
  public static long of(Path dir) throws IOException {
    return of(dir, file -> true);
  }

  /** Bytes the files under {@code dir} that {@code counted} takes hold; none when {@code dir} is not there. */
  public static long of(Path dir, Predicate<Path> counted) throws IOException {
    long[] total = {0};
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
        total[0] += attrs.isRegularFile() && counted.test(file) ? attrs.size() : 0;
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException gone) {
        return FileVisitResult.CONTINUE;
      }
    });
    return total[0];
  }
}
